import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeTagged } from '../src/codec.js';
import { canonicalizeArgs, persistedKey } from '../src/key.js';
import { isShardName, isTempName } from '../src/stores/disk-layout.js';
import { DiskStore } from '../src/stores/disk-store.js';
import { isPayloadOf } from './fixtures/persistence/payload.mjs';

// Real processes on one cache dir: what a memoizer in one process writes, another must read back whole or not at all.
const fixtures = path.join(import.meta.dirname, 'fixtures', 'persistence');
const builtPackage = path.join(import.meta.dirname, '..', 'dist', 'index.js');
let cacheDir: string;

beforeAll(() => {
  if (process.env.MEMOTAPE_MODULE === undefined && !existsSync(builtPackage)) {
    throw new Error('These tests run the built package: run `npm run build` first (`npm test` does).');
  }
});

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'memotape-processes-'));
});

afterEach(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

function start(script: string, args: (string | number)[], extraEnvironment: NodeJS.ProcessEnv = {}): ChildProcess {
  const environment: NodeJS.ProcessEnv = { ...process.env, MEMOTAPE_DUMP: '0', ...extraEnvironment };
  delete environment.MEMOTAPE_DUMP_FILE;
  return spawn(process.execPath, [path.join(fixtures, script), ...args.map(String)], {
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function run(script: string, args: (string | number)[], extraEnvironment: NodeJS.ProcessEnv = {}): Promise<any> {
  const child = start(script, args, extraEnvironment);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

/** Resolves at the child's first output line; rejects, with its stderr, if it exits before writing one. */
function firstOutput(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready: ${stderr}`)));
  });
}

/** The keys and directory the fixtures use for `payload(k)` in a subDir. */
function payloadStore(subDir: string, keyCount: number) {
  const store = new DiskStore({ directory: path.join(cacheDir, 'disk-v1', subDir), staleTempAge: 0 });
  const keys = Array.from({ length: keyCount }, (_, k) => persistedKey('payload', canonicalizeArgs([k])));
  return { store, keys };
}

function filesIn(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter(isShardName)
    .flatMap((shard) => readdirSync(path.join(directory, shard)));
}

describe('PersistentMemoizer across processes', () => {
  it('replays in process B what process A recorded before it exited, with no dump involved', async () => {
    expect(await run('record.mjs', [cacheDir])).toEqual({ writes: 3 });
    expect(await run('replay.mjs', [cacheDir])).toEqual({
      first: { pad: true, at: new Date(12).toISOString() },
      second: { pad: false, at: new Date(35).toISOString() },
      size: 'bigint:9000',
      calls: 0,
      missCode: 'ERR_MEMOTAPE_CACHE_MISS',
      hits: { memory: 0, preload: 0, disk: 3, remote: 0 },
    });
  });

  it('takes part in the exit dump with its subDir as the collection', async () => {
    await run('dump.mjs', [cacheDir], { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir });
    const dump = JSON.parse(readFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'utf8'));
    expect(Object.keys(dump.collections)).toEqual(['should-pad']);
    expect(Object.values(dump.collections['should-pad'])).toEqual([
      { namespace: 'shouldPad', params: { args: [3, 4] }, promise: false, result: true },
    ]);
  });

  it('gives 8 readers no wrong or damaged value while 8 writers rewrite the same keys', async () => {
    const keyCount = 20;
    const repeat = 1_500;
    const deadline = Date.now() + 2_500;
    const writers = Array.from({ length: 8 }, (_, w) => run('writer.mjs', [cacheDir, w, keyCount, repeat, deadline]));
    const readers = Array.from({ length: 8 }, () => run('reader.mjs', [cacheDir, keyCount, repeat, deadline]));
    const [written, read] = await Promise.all([Promise.all(writers), Promise.all(readers)]);
    for (const writer of written) expect(writer).toMatchObject({ errors: 0, failedWrites: 0 });
    for (const reader of read) expect(reader).toMatchObject({ wrong: 0, errors: 0, damaged: 0 });
    expect(read.reduce((sum, reader) => sum + reader.good, 0)).toBeGreaterThan(0);

    const { store, keys } = payloadStore('contended', keyCount);
    expect(filesIn(store.directory).filter(isTempName)).toEqual([]);
    keys.forEach((key, k) => {
      const entry = store.get(key);
      if (entry !== undefined) expect(isPayloadOf(decodeTagged(entry.result), k, repeat)).toBe(true);
    });
    expect(store.stats().damaged).toBe(0);
  }, 30_000);

  it('leaves only complete entries or misses when writers of large entries are killed with SIGKILL', async () => {
    const keyCount = 6;
    const repeat = 250_000; // about 2 MB per entry, so kills land inside writes
    for (let round = 0; round < 6; round++) {
      const child = start('big-writer.mjs', [cacheDir, keyCount, repeat, round]);
      const exited = once(child, 'exit');
      await firstOutput(child);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      child.kill('SIGKILL');
      expect(await exited).toEqual([null, 'SIGKILL']);
    }
    const { store, keys } = payloadStore('killed', keyCount);
    let complete = 0;
    keys.forEach((key, k) => {
      const entry = store.get(key);
      if (entry === undefined) return;
      expect(isPayloadOf(decodeTagged(entry.result), k, repeat)).toBe(true);
      complete++;
    });
    expect(complete).toBeGreaterThan(0);
    expect(store.stats().damaged).toBe(0);
    // Temp files of killed writes are swept (here at once: staleTempAge 0), never read as entries.
    store.prune();
    expect(filesIn(store.directory).filter(isTempName)).toEqual([]);
  }, 60_000);
});
