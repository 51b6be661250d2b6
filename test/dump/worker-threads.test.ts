import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, removeTemporaryDirectories, requireBuild, runChild, temporaryDirectory } from './helpers.js';

// worker_threads workers run their own copy of memotape: each one that ends in a way that runs exit handlers merges
// its entries into the shared dump file, under the same lock as separate processes. A terminated worker runs none.
const script = fixture('worker-threads.mjs');

beforeAll(requireBuild);
afterAll(removeTemporaryDirectories);

/** The owners of the `work` entries in the dump, each with its number of entries. */
async function dumpedOwners(workerExit: string): Promise<Record<string, number>> {
  const cacheDir = path.join(temporaryDirectory(), 'cache');
  const result = await runChild(script, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, WORKER_EXIT: workerExit });
  expect(result.code, result.stderr).toBe(0);
  const dump = JSON.parse(readFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'utf8')) as {
    collections: Record<string, Record<string, { namespace: string; result: { who: string } }>>;
  };
  const owners: Record<string, number> = {};
  for (const entry of Object.values(dump.collections.null ?? {})) {
    if (entry.namespace === 'work') owners[entry.result.who] = (owners[entry.result.who] ?? 0) + 1;
  }
  return owners;
}

describe('the exit dump with worker threads', () => {
  const everyone = { main: 3, 'worker-0': 3, 'worker-1': 3, 'worker-2': 3 };

  it('merges the entries of workers that end on their own with the main thread’s', async () => {
    expect(await dumpedOwners('natural')).toEqual(everyone);
  });

  it('merges the entries of workers that call process.exit()', async () => {
    expect(await dumpedOwners('exit')).toEqual(everyone);
  });

  it('loses only the entries of workers stopped with worker.terminate(), which runs no exit handlers', async () => {
    expect(await dumpedOwners('terminate')).toEqual({ main: 3 });
  });
});
