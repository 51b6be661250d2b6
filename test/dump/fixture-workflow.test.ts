import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  memotapeWarnings,
  removeTemporaryDirectories,
  requireBuild,
  runChild,
  temporaryDirectory,
} from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTemporaryDirectories);

const DUMP = 'memoizer_cache.json';

describe('a round trip of every tagged type through a new process', () => {
  it('brings back each value with its type, and leaves unstorable results out with one warning each', async () => {
    const cacheDir = path.join(temporaryDirectory(), 'cache');
    const recorded = await runChild(fixture('tagged-types.mjs'), {
      CHILD_MODE: 'record',
      MEMOTAPE_DUMP: '1',
      MEMOTAPE_CACHE_DIR: cacheDir,
    });
    expect(recorded.code).toBe(0);
    const warnings = memotapeWarnings(recorded);
    expect(warnings).toHaveLength(2);
    expect(warnings.find((line) => line.includes('makeHandler'))).toContain('a function');
    expect(warnings.find((line) => line.includes('makeInstance'))).toContain('an instance of Point');

    const replayed = await runChild(fixture('tagged-types.mjs'), {
      CHILD_MODE: 'replay',
      MEMOTAPE_DUMP_FILE: path.join(cacheDir, DUMP),
    });
    expect(replayed.stderr).toBe('');
    expect(JSON.parse(replayed.stdout)).toEqual({
      different: [],
      invalidDate: true,
      negativeZero: true,
      hole: true,
      ownProto: true,
      polluted: false,
      asyncIsPromise: true,
      asyncOk: true,
    });
  });
});

describe('the test-fixture workflow', () => {
  const app = fixture('fixture-app.mjs');

  async function record(cacheDir: string, extra = false): Promise<Record<string, unknown>> {
    const result = await runChild(app, {
      CHILD_MODE: 'record',
      CHILD_EXTRA: extra ? '1' : '0',
      MEMOTAPE_DUMP: '1',
      MEMOTAPE_CACHE_DIR: cacheDir,
    });
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout);
  }

  it('records real calls, replays them strictly from the committed file, and re-records cleanly', async () => {
    const directory = temporaryDirectory();
    const recording = await record(path.join(directory, 'cache'));
    expect(recording.realCalls).toBe(3);

    // Commit: copy the dump into the test suite's fixtures.
    const committed = path.join(directory, 'test', 'fixtures', 'api.json');
    mkdirSync(path.dirname(committed), { recursive: true });
    copyFileSync(path.join(directory, 'cache', DUMP), committed);

    const replay = await runChild(app, { CHILD_MODE: 'replay', MEMOTAPE_DUMP_FILE: committed });
    expect(replay.stderr).toBe('');
    const replayed = JSON.parse(replay.stdout);
    expect(replayed).toEqual({
      users: recording.users,
      price: recording.price,
      realCalls: 0,
      miss: {
        code: 'ERR_MEMOTAPE_CACHE_MISS',
        functionName: 'fetchUser',
        key: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });

    // Re-recording the same calls from scratch gives the same bytes: the committed fixture does not churn.
    await record(path.join(directory, 'again'));
    expect(readFileSync(path.join(directory, 'again', DUMP), 'utf8')).toBe(readFileSync(committed, 'utf8'));

    // Re-recording with a new call into the same cache dir keeps the old entries and adds the new one.
    await record(path.join(directory, 'cache'), true);
    const grown = JSON.parse(readFileSync(path.join(directory, 'cache', DUMP), 'utf8'));
    const old = JSON.parse(readFileSync(committed, 'utf8'));
    expect(grown.cache_size).toBe(old.cache_size + 1);
    expect(grown.collections.api).toMatchObject(old.collections.api);
  });

  it('names a missing fixture in one warning, and the replay fails with CacheMissError naming the call', async () => {
    const missing = path.join(temporaryDirectory(), 'not-recorded.json');
    const result = await runChild(app, { CHILD_MODE: 'replay', MEMOTAPE_DUMP_FILE: missing });
    const warnings = memotapeWarnings(result);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`cannot preload from ${missing}`);
    expect(JSON.parse(result.stdout).failed).toEqual({
      code: 'ERR_MEMOTAPE_CACHE_MISS',
      functionName: 'fetchUser',
      key: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });
});
