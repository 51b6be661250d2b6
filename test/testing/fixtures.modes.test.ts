// The modes replay, new, all and off of a fixture tape, and how the mode is chosen (auto is in fixtures.test.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CacheMissError, FixtureModeError, UnrecordedCallsError } from '../../src/errors.js';
import { fixtures } from '../../src/testing/fixtures.js';
import {
  area,
  counted,
  fileIdentity,
  fixtureEntries,
  fixturePath,
  getUser,
  isolateTapes,
  recordAreas,
  shouldNotRun,
} from './helpers.js';

isolateTapes();

describe('mode replay', () => {
  it('never calls the function, whatever the wrapper kind', async () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const tape = fixtures(file, { mode: 'replay' });
    expect(tape.record({ name: 'area' })(shouldNotRun)(2, 3)).toBe(6);
    expect(tape.memoize({ name: 'area' })(shouldNotRun)(2, 3)).toBe(6);
    expect(() => tape.memoize({ name: 'area' })(shouldNotRun)(5, 5)).toThrow(CacheMissError);
    expect(() => tape.save()).toThrow(UnrecordedCallsError);
  });

  it('fails save() with every miss of the run, even the ones the code under test swallowed', () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const tape = fixtures(file, { mode: 'replay' });
    const wrapped = tape.memoize({ name: 'area' })(area);
    for (const call of [
      [4, 5],
      [6, 7],
    ]) {
      try {
        wrapped(call[0]!, call[1]!);
      } catch {
        // The code under test falls back to a default.
      }
    }
    expect(tape.misses()).toHaveLength(2);
    let error: unknown;
    try {
      tape.save();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnrecordedCallsError);
    expect(error).toMatchObject({ code: 'ERR_MEMOTAPE_UNRECORDED_CALLS', file });
    expect((error as UnrecordedCallsError).misses).toEqual(tape.misses());
    const message = (error as Error).message;
    expect(message).toContain('2 calls were not recorded');
    expect(message).toContain('area {"args":[4,5]}');
    expect(message).toContain('area {"args":[6,7]}');
    expect(message).toContain("To record them, set the tape's `mode` option to 'new'");
  });

  it('says what to do in the CacheMissError: mode and source, file, entries, params, nearest calls, command', () => {
    const file = fixturePath();
    const tape = fixtures(file);
    const listIssues = tape.memoize({ name: 'github.listIssues' })(
      (repo: string, options: { since: string }) => `${repo} since ${options.since}`,
    );
    listIssues('memotape', { since: '2026-05-01' });
    tape.save();
    vi.stubEnv('MEMOTAPE_MODE', 'replay');
    const replayed = fixtures(file).memoize({ name: 'github.listIssues' })(shouldNotRun);
    let error: CacheMissError | undefined;
    try {
      replayed('memotape', { since: '2026-06-01' });
    } catch (caught) {
      error = caught as CacheMissError;
    }
    expect(error).toBeInstanceOf(CacheMissError);
    expect(error).toMatchObject({ functionName: 'github.listIssues', key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(error?.message).toContain('No recorded result for github.listIssues');
    expect(error?.message).toContain('Mode: replay (from MEMOTAPE_MODE)');
    expect(error?.message).toContain(`Fixture: ${file} (1 entry for github.listIssues)`);
    expect(error?.message).toContain('Call: github.listIssues {"args":["memotape",{"since":"2026-06-01"}]}');
    expect(error?.message).toContain('1. args[1].since: "2026-05-01" → "2026-06-01"');
    expect(error?.message).toContain('MEMOTAPE_MODE=new <test command>');
  });

  it('advises the mode option, in the miss and in save(), when the option set replay', () => {
    const tape = fixtures(fixturePath(), { mode: 'replay' });
    const replayed = tape.memoize({ name: 'area' })(shouldNotRun);
    expect(() => replayed(4, 5)).toThrow("set the tape's `mode` option to 'new'");
    expect(() => tape.save()).toThrow(
      /To record it, set the tape's `mode` option to 'new' \(it overrides MEMOTAPE_MODE\)/,
    );
  });

  it('rejects (rather than throws) for an async function that misses', async () => {
    const tape = fixtures(fixturePath(), { mode: 'replay' });
    const replayed = tape.memoize({ name: 'github.getUser' })(getUser);
    const pending = replayed('ghost');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow(/does not exist yet/);
    expect(() => tape.save()).toThrow(UnrecordedCallsError);
  });

  it('never writes the file', () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const before = fileIdentity(file);
    const tape = fixtures(file, { mode: 'replay' });
    tape.memoize({ name: 'area' })(area)(2, 3);
    expect(tape.save().status).toBe('skipped');
    expect(fileIdentity(file)).toBe(before);
  });
});

describe('mode new', () => {
  it('replays hits and records misses, for every wrapper kind', () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const tape = fixtures(file, { mode: 'new' });
    const real = counted(area);
    const replayKind = tape.replay({ name: 'area' })(real);
    expect([replayKind(2, 3), replayKind(4, 5), replayKind(4, 5)]).toEqual([6, 20, 20]);
    expect(real.calls).toBe(1);
    expect(tape.save()).toMatchObject({ status: 'written', recorded: 1 });
    expect(fixtureEntries(file)).toHaveLength(2);
  });
});

describe('mode all', () => {
  it('calls everything, re-records it, and keeps the entries the run did not use', () => {
    const file = fixturePath();
    recordAreas(file, [
      [1, 1],
      [2, 3],
    ]);
    const tape = fixtures(file, { mode: 'all' });
    const changed = counted((width: number, height: number) => width * height + 1000);
    const wrapped = tape.memoize({ name: 'area' })(changed);
    expect(wrapped(2, 3)).toBe(1006);
    expect(changed.calls).toBe(1);
    expect(tape.unused()).toEqual([{ key: expect.any(String), namespace: 'area', params: { args: [1, 1] } }]);
    tape.save();
    const results = fixtureEntries(file).map((entry) => [entry.params, entry.result]);
    expect(results).toEqual(
      expect.arrayContaining([
        [{ args: [1, 1] }, 1],
        [{ args: [2, 3] }, 1006],
      ]),
    );
  });
});

describe('unused()', () => {
  it('lists the entries of the file that the run neither replayed nor re-recorded', () => {
    const file = fixturePath();
    recordAreas(file, [
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const tape = fixtures(file);
    const wrapped = tape.memoize({ name: 'area' })(area);
    wrapped(1, 1);
    wrapped(4, 4);
    expect(tape.unused().map((entry) => entry.params)).toEqual(
      expect.arrayContaining([{ args: [2, 2] }, { args: [3, 3] }]),
    );
    expect(tape.unused()).toHaveLength(2);
    tape.save();
    expect(fixtureEntries(file)).toHaveLength(4);
  });
});

describe('mode off', () => {
  it('returns the function itself and reads and writes nothing', () => {
    const file = fixturePath();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'not even JSON');
    const tape = fixtures(file, { mode: 'off' });
    for (const kind of ['record', 'replay', 'memoize'] as const) {
      const wrapped = tape[kind]({ name: 'area' })(area);
      expect(wrapped).toBe(area);
      expect(wrapped.peek(2, 3)).toBeUndefined();
    }
    expect(tape.save()).toEqual({ status: 'skipped', file, recorded: 0 });
    expect(readFileSync(file, 'utf8')).toBe('not even JSON');
  });
});

describe('the mode setting', () => {
  it('replays when CI is set, and refuses to record in CI unless allowed', () => {
    const file = fixturePath();
    vi.stubEnv('CI', 'true');
    const tape = fixtures(file);
    expect([tape.mode, tape.modeSource]).toEqual(['replay', 'CI']);
    expect(() => tape.memoize({ name: 'area' })(shouldNotRun)(1, 1)).toThrow(/auto, because the CI environment/);
    vi.stubEnv('MEMOTAPE_MODE', 'new');
    expect(() => fixtures(file)).toThrow(FixtureModeError);
    vi.stubEnv('MEMOTAPE_ALLOW_RECORD_IN_CI', '1');
    expect(fixtures(file).mode).toBe('new');
  });

  it('reads MEMOTAPE_MODE, and the mode option wins', () => {
    vi.stubEnv('MEMOTAPE_MODE', 'all');
    expect(fixtures(fixturePath())).toMatchObject({ mode: 'all', modeSource: 'MEMOTAPE_MODE' });
    expect(fixtures(fixturePath(), { mode: 'off' })).toMatchObject({ mode: 'off', modeSource: 'option' });
    vi.stubEnv('MEMOTAPE_MODE', 'sometimes');
    expect(() => fixtures(fixturePath())).toThrow(/MEMOTAPE_MODE must be one of auto, replay, new, all, off/);
  });
});
