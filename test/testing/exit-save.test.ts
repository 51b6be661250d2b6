import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  memotapeWarnings,
  removeTemporaryDirectories,
  requireBuild,
  root,
  runChild,
  startChild,
} from '../dump/helpers.js';
import { fixtureEntries, fixturePath } from './helpers.js';
import { builtTestingEntry } from './runner-project.js';

/*
 * The exit fallback, in real child processes: a tape whose recordings were never saved writes its own fixture when
 * the process exits, on every exit path that runs code, and a tape whose misses were never reported warns.
 */

beforeAll(requireBuild);
afterAll(removeTemporaryDirectories);

const child = path.join(root, 'test', 'fixtures', 'testing', 'exit-child.mjs');
const API_KEY = 'key-live-0123456789';

function environment(fixture: string, scenario: string): Record<string, string | undefined> {
  return {
    CHILD_TESTING_ENTRY: builtTestingEntry,
    CHILD_FIXTURE: fixture,
    CHILD_SCENARIO: scenario,
    API_KEY,
    CI: undefined,
  };
}

function expectRecorded(fixture: string): void {
  const entries = fixtureEntries(fixture);
  expect(entries.map((entry) => entry.namespace).sort()).toEqual(['area', 'fetchUser']);
  expect(readFileSync(fixture, 'utf8')).not.toContain(API_KEY);
}

describe('the exit fallback of an unsaved tape', () => {
  it('writes the fixture when the process ends on its own', async () => {
    const fixture = fixturePath();
    const result = await runChild(child, environment(fixture, 'natural'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expectRecorded(fixture);
  });

  it('writes the fixture on process.exit and keeps the exit code', async () => {
    const fixture = fixturePath();
    const result = await runChild(child, environment(fixture, 'exit-code'));
    expect(result.code).toBe(3);
    expectRecorded(fixture);
  });

  it('writes the fixture on SIGTERM, and the process still dies by the signal', async () => {
    const fixture = fixturePath();
    const running = startChild(child, environment(fixture, 'signal'));
    await running.waitFor('READY');
    running.process.kill('SIGTERM');
    const result = await running.done;
    expect(result.signal).toBe('SIGTERM');
    expectRecorded(fixture);
  });

  it('redacts at exit too: a surviving secret is one warning and no file, never a crash', async () => {
    const fixture = fixturePath();
    const result = await runChild(child, environment(fixture, 'leak'));
    expect(result.code).toBe(0);
    const warnings = memotapeWarnings(result);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('MEMOTAPE_FIXTURE_SAVE_FAILED');
    expect(warnings[0]).toContain(`the fixture ${fixture} was not saved at exit`);
    expect(result.stderr).toContain('the value of API_KEY in area at result');
    expect(result.stderr).not.toContain(API_KEY);
    expect(existsSync(fixture)).toBe(false);
  });

  it('warns about misses that save() never reported', async () => {
    const fixture = fixturePath();
    const result = await runChild(child, environment(fixture, 'miss'));
    expect(result.code).toBe(0);
    expect(memotapeWarnings(result)[0]).toContain('MEMOTAPE_FIXTURE_MISSES');
    expect(result.stderr).toContain('1 call was not recorded');
    expect(result.stderr).toContain('area {"args":[7,7]}');
    expect(result.stderr).toContain('Call tape.save() in an afterAll hook');
    expect(existsSync(fixture)).toBe(false);
  });
});
