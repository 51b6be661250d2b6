import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { configure } from '../../src/config.js';
import { flushDump } from '../../src/dump/flush.js';
import { CacheMissError, DumpError, NamespaceError, UnrecordedCallsError } from '../../src/errors.js';
import { Memoizer } from '../../src/memoizer.js';
import { type FixtureMemoizer, fixtures } from '../../src/testing/fixtures.js';
import {
  area,
  counted,
  fileIdentity,
  fixtureEntries,
  fixturePath,
  getUser,
  isolateTapes,
  readFixture,
  recordAreas,
  shouldNotRun,
  temporaryDirectory,
} from './helpers.js';

const capture = isolateTapes();

describe('a tape in the default mode (auto)', () => {
  it('records what the file lacks, writes it on save, and a new tape replays it without calling the function', async () => {
    const file = fixturePath();
    const tape = fixtures(file);
    const real = counted(getUser);
    const recorded = tape.memoize({ name: 'github.getUser' })(real);
    expect(await recorded('octocat')).toEqual({ login: 'octocat', joined: new Date(Date.UTC(2020, 0, 1)) });
    expect(existsSync(file)).toBe(false);
    expect(tape.save()).toEqual({ status: 'written', file, recorded: 1 });
    expect(fixtureEntries(file)).toEqual([
      {
        namespace: 'github.getUser',
        params: { args: ['octocat'] },
        promise: true,
        result: { login: 'octocat', joined: { $mt: 'D', v: Date.UTC(2020, 0, 1) } },
      },
    ]);

    const replayTape = fixtures(file);
    const replayed = replayTape.memoize({ name: 'github.getUser' })(shouldNotRun);
    const pending = replayed('octocat');
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual({ login: 'octocat', joined: new Date(Date.UTC(2020, 0, 1)) });
    expect(replayTape.stats().hits.preload).toBe(1);
    expect(real.calls).toBe(1);
  });

  it('replays the hits and records the misses of one run, keeping both in the file', () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const tape = fixtures(file);
    const real = counted(area);
    const wrapped = tape.memoize({ name: 'area' })(real);
    expect([wrapped(2, 3), wrapped(4, 5)]).toEqual([6, 20]);
    expect(real.calls).toBe(1);
    expect(tape.save().status).toBe('written');
    expect(fixtureEntries(file).map((entry) => entry.params)).toEqual(
      expect.arrayContaining([{ args: [2, 3] }, { args: [4, 5] }]),
    );
  });

  it('keeps the kind of each wrapper: replay never calls, record always does', () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const tape = fixtures(file);
    const real = counted(area);
    expect(tape.replay({ name: 'area' })(real)(2, 3)).toBe(6);
    expect(() => tape.replay({ name: 'area' })(real)(9, 9)).toThrow(CacheMissError);
    expect(tape.record({ name: 'area' })(real)(2, 3)).toBe(6);
    expect(real.calls).toBe(1);
  });

  it('writes what it recorded before failing save() for the misses of replay wrappers', () => {
    const file = fixturePath();
    const tape = fixtures(file);
    tape.memoize({ name: 'area' })(area)(2, 3);
    expect(() => tape.replay({ name: 'volume' })(shouldNotRun)(1)).toThrow(CacheMissError);
    expect(() => tape.save()).toThrow(UnrecordedCallsError);
    expect(fixtureEntries(file)).toMatchObject([{ namespace: 'area' }]);
  });

  it('accepts a file: URL as well as a path', () => {
    const file = fixturePath();
    recordAreas(file, [[1, 1]]);
    const tape = fixtures(pathToFileURL(file));
    expect(tape.file).toBe(file);
    expect(tape.replay({ name: 'area' })(shouldNotRun)(1, 1)).toBe(1);
  });
});

describe('save()', () => {
  it('writes stable bytes: sorted keys, 2-space indent, LF, a trailing newline and no timestamps', () => {
    const first = fixturePath();
    const second = fixturePath();
    recordAreas(first, [
      [3, 4],
      [1, 2],
    ]);
    recordAreas(second, [
      [1, 2],
      [3, 4],
    ]);
    const text = readFileSync(first, 'utf8');
    expect(readFileSync(second, 'utf8')).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toContain('\r');
    expect(text).not.toMatch(/createdAt|recordedAt/);
    expect(text.split('\n')[1]).toBe('  "cache_size": 2,');
    const keys = Object.keys(readFixture(first).collections.null ?? {});
    expect(keys).toEqual([...keys].sort());
  });

  it('does not touch the file when its content would not change', () => {
    const file = fixturePath();
    recordAreas(file, [[2, 3]]);
    const before = fileIdentity(file);
    // A run that only replays, then a run that re-records the same result.
    const replaying = fixtures(file);
    replaying.memoize({ name: 'area' })(area)(2, 3);
    expect(replaying.save().status).toBe('unchanged');
    const rerecording = fixtures(file, { mode: 'all' });
    rerecording.memoize({ name: 'area' })(area)(2, 3);
    expect(rerecording.save()).toMatchObject({ status: 'unchanged', recorded: 1 });
    expect(fileIdentity(file)).toBe(before);
  });

  it('creates no file when nothing was recorded', () => {
    const file = fixturePath();
    expect(fixtures(file).save().status).toBe('unchanged');
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('writes through a temp file renamed into place, leaving no temp file behind', () => {
    const file = fixturePath();
    recordAreas(file, [[1, 1]]);
    const before = fileIdentity(file);
    recordAreas(file, [[2, 2]]);
    expect(fileIdentity(file)).not.toBe(before);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['api.json']);
  });

  it('keeps what another tape wrote to the same file meanwhile', () => {
    const file = fixturePath();
    const one = fixtures(file);
    const other = fixtures(file);
    one.memoize({ name: 'area' })(area)(1, 1);
    other.memoize({ name: 'volume' })((side: number) => side ** 3)(2);
    one.save();
    other.save();
    expect(
      fixtureEntries(file)
        .map((entry) => entry.namespace)
        .sort(),
    ).toEqual(['area', 'volume']);
  });

  it('refuses a corrupt fixture at construction, with a way to repair it', () => {
    const file = fixturePath();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '<<<<<<< HEAD\n{}\n');
    expect(() => fixtures(file)).toThrow(DumpError);
    expect(() => fixtures(file)).toThrow(/delete it and record it again/);
  });
});

describe('a tape and the dump file', () => {
  it('neither preloads from the preload setting nor joins the exit dump', () => {
    const cacheDir = temporaryDirectory();
    const other = fixturePath('other.json');
    recordAreas(other, [[1, 1]]);
    configure({ dump: true, cacheDir, preloadFrom: other });
    const file = fixturePath();
    const tape = fixtures(file, { mode: 'new' });
    const real = counted(area);
    tape.memoize({ name: 'area' })(real)(1, 1);
    expect(real.calls).toBe(1);
    expect(flushDump().status).toBe('empty');
    expect(existsSync(path.join(cacheDir, 'memoizer_cache.json'))).toBe(false);
    configure({ dump: false });
    tape.save();
  });
});

describe('the fixture format', () => {
  it('is the dump file format, keyed alike: a plain Memoizer preloads and replays a fixture', async () => {
    const file = fixturePath();
    const tape = fixtures(file);
    await tape.memoize({ name: 'github.getUser' })(getUser)('octocat');
    tape.memoize({ name: 'area' })(area)(2, 3);
    tape.save();
    const memoizer = new Memoizer({ preloadFrom: file });
    expect(await memoizer.replay({ name: 'github.getUser' })(shouldNotRun)('octocat')).toMatchObject({
      login: 'octocat',
    });
    expect(memoizer.replay({ name: 'area' })(shouldNotRun)(2, 3)).toBe(6);
  });
});

describe('decorators on a tape', () => {
  it('record and replay methods like functions, under Class.method', () => {
    const file = fixturePath();
    class Repo {
      find(id: number) {
        return { id };
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Repo.prototype, 'find')!;
    const decorate = (tape: FixtureMemoizer) => {
      class Decorated extends Repo {}
      Object.defineProperty(
        Decorated.prototype,
        'find',
        tape.memoize({ shared: true, name: 'Repo.find' })(Decorated.prototype, 'find', { ...descriptor }),
      );
      return new Decorated();
    };
    const recording = fixtures(file);
    expect(decorate(recording).find(7)).toEqual({ id: 7 });
    recording.save();
    expect(fixtureEntries(file)).toMatchObject([{ namespace: 'Repo.find', params: { args: [7] } }]);
    const replaying = fixtures(file, { mode: 'replay' });
    expect(decorate(replaying).find(7)).toEqual({ id: 7 });
    expect(replaying.stats().hits.preload).toBe(1);
  });
});

describe('fixtures() options', () => {
  it.each([
    [{ modes: 'all' }, 'Unknown option `modes` passed to fixtures()'],
    [{ recordErrors: 'yes' }, 'Expected `recordErrors` to be a boolean, got string'],
    [{ redact: { keys: 'token' } }, 'Expected `redact.keys` to be a RegExp'],
    [{ mode: 'record' }, 'Expected `mode` to be one of auto, replay, new, all, off, got "record"'],
  ])('rejects %j with a TypeError', (options, message) => {
    expect(() => fixtures(fixturePath(), options as never)).toThrow(new TypeError(message));
  });

  it('rejects a file that is not a path or a file: URL', () => {
    expect(() => fixtures('' as string)).toThrow(TypeError);
    expect(() => fixtures(new URL('https://example.test/fixture.json'))).toThrow('Expected `file` to be a file: URL');
  });

  it('needs a stable name for every wrapped function', () => {
    expect(() => fixtures(fixturePath()).memoize()(() => 1)).toThrow(NamespaceError);
  });

  it('warns once for a short secret value', () => {
    vi.stubEnv('PIN', '123');
    fixtures(fixturePath(), { redact: { secrets: ['PIN'] } });
    expect(capture.warnings()).toEqual([expect.stringContaining('MEMOTAPE_SHORT_SECRET: the value of PIN')]);
  });
});

describe('freshness methods on fixture wrappers', () => {
  it('keeps invalidate and peek on a replay-mode wrapper', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'memotape-tape-')), 'tape.json');
    const tape = fixtures(file, { mode: 'replay' });
    const replayed = tape.memoize({ name: 'freshness.probe' })((x: number) => x) as unknown as {
      invalidate: unknown;
      peek: (x: number) => unknown;
    };
    expect(typeof replayed.invalidate).toBe('function');
    expect(replayed.peek(1)).toBeUndefined();
  });
});
