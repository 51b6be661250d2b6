import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

// Invalidation on disk reaches other processes: each step below runs in its own `node` process on one cache dir.
const run = promisify(execFile);
const worker = path.resolve(import.meta.dirname, '../fixtures/freshness/disk-worker.mjs');
const built = path.resolve(import.meta.dirname, '../../dist/index.js');

beforeAll(() => {
  if (process.env.MEMOTAPE_TEST_DIST === undefined && !existsSync(built)) {
    throw new Error('These tests run the built package: run `npm run build` first (`npm test` does).');
  }
});

afterAll(removeTemporaryDirectories);

async function inProcess(cacheDir: string, steps: unknown[][]): Promise<{ computed: string[]; results: unknown[] }> {
  const environment: NodeJS.ProcessEnv = { ...process.env, MEMOTAPE_DUMP: '0' };
  delete environment.MEMOTAPE_DUMP_FILE;
  const { stdout } = await run(process.execPath, [worker, JSON.stringify({ cacheDir, steps })], {
    env: environment,
    timeout: 20_000,
  });
  return JSON.parse(stdout);
}

describe('invalidation on disk, across processes', () => {
  it('makes another process recompute exactly the invalidated call, and every entry of an invalidated tag', async () => {
    const cacheDir = temporaryDirectory();
    const everything = [
      ['call', 'getUser', 1],
      ['call', 'getUser', 2],
      ['call', 'getProfile', 1],
      ['call', 'getProfile', 2],
    ];
    expect((await inProcess(cacheDir, everything)).computed).toHaveLength(4);
    expect((await inProcess(cacheDir, everything)).computed).toEqual([]);

    await inProcess(cacheDir, [['invalidate', 'getUser', 1]]);
    expect((await inProcess(cacheDir, everything)).computed).toEqual(['getUser(1)']);

    await inProcess(cacheDir, [['invalidateTags', ['user:2']]]);
    const afterTag = await inProcess(cacheDir, everything);
    expect(afterTag.computed).toEqual(['getUser(2)', 'getProfile(2)']);
    expect(afterTag.results).toEqual([
      { id: 1, name: 'user 1' },
      { id: 2, name: 'user 2' },
      { id: 1, orgId: 7 },
      { id: 2, orgId: 7 },
    ]);

    await inProcess(cacheDir, [['invalidateTags', ['org:7']]]);
    expect((await inProcess(cacheDir, everything)).computed).toEqual(['getProfile(1)', 'getProfile(2)']);
  });
});
