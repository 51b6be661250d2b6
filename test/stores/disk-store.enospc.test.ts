import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEMP_FILE_MARK } from '../../src/internal/atomic-write.js';
import { canonicalizeArgs, persistedKey } from '../../src/key.js';
import { DiskStore } from '../../src/stores/disk-store.js';
import type { StoredEntry } from '../../src/stores/store.js';
import { fullDiskTitle, fullDiskUnavailable, useSmallDisk } from '../helpers/full-disk.js';
import { captureWarnings } from '../helpers/warnings.js';

const keyOf = (n: number) => persistedKey('f', canonicalizeArgs([n]));
const entryOf = (n: number, result: StoredEntry['result'] = { n, text: 'x'.repeat(100) }): StoredEntry => ({
  namespace: 'f',
  params: { args: [n] },
  result,
  promise: false,
  createdAt: 1_000,
});

/** Every file under `folder` (relative paths), temp files included. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The bytes of every file under `folder`, by relative path. */
function snapshot(folder: string): Record<string, string> {
  return Object.fromEntries(filesUnder(folder).map((file) => [file, readFileSync(path.join(folder, file), 'hex')]));
}

/** A key (after `from`) whose shard folder none of `taken` uses, so writing it must create the folder first. */
function keyInNewShard(taken: readonly string[], from = 100): string {
  const shards = new Set(taken.map((key) => key.slice(0, 2)));
  for (let n = from; ; n++) if (!shards.has(keyOf(n).slice(0, 2))) return keyOf(n);
}

// Needs a real full file system (a tmpfs mount, so Linux and root): skipped with the probe's reason elsewhere.
describe.skipIf(fullDiskUnavailable !== undefined)(fullDiskTitle('DiskStore on a full disk'), () => {
  const disk = useSmallDisk();
  captureWarnings();
  let directory: string;
  let folders = 0;

  afterEach(() => {
    disk.free();
    rmSync(path.join(disk.directory, 'cache'), { recursive: true, force: true });
  });

  function storeOnDisk(options: { durable?: boolean; maxBytes?: number } = {}): DiskStore {
    directory = path.join(disk.directory, 'cache', `store-${folders++}`);
    return new DiskStore({ directory, ...options });
  }

  for (const durable of [false, true]) {
    it(`throws ENOSPC from set (durable: ${durable}), counts a failed write and leaves no temp file`, () => {
      const store = storeOnDisk({ durable });
      const stored = [1, 2, 3].map(keyOf);
      for (const n of [1, 2, 3]) store.set(keyOf(n), entryOf(n));
      const before = snapshot(directory);
      disk.fill();

      // A new key in an existing shard, a new key whose shard folder has to be made, and a replaced entry.
      const sameShard = keyOf(1).slice(0, 2);
      let inSameShard = 200;
      while (keyOf(inSameShard).slice(0, 2) !== sameShard) inSameShard++;
      const writes = [keyOf(inSameShard), keyInNewShard(stored), stored[0]!];
      for (const key of writes) expect(() => store.set(key, entryOf(9, 'new'))).toThrow(/ENOSPC/);

      expect(store.stats()).toMatchObject({ writes: 3, failedWrites: 3 });
      const after = snapshot(directory);
      expect(Object.keys(after).filter((file) => path.basename(file).startsWith(TEMP_FILE_MARK))).toEqual([]);
      // The entries already there, the replaced one included, are byte for byte what they were.
      expect(after).toEqual(before);
    });
  }

  it('keeps serving the entries already on disk, to this store and to a new one', () => {
    const store = storeOnDisk();
    for (const n of [1, 2, 3]) store.set(keyOf(n), entryOf(n));
    disk.fill();
    expect(() => store.set(keyOf(1), entryOf(1, 'replacement'))).toThrow(/ENOSPC/);
    const reader = new DiskStore({ directory });
    for (const n of [1, 2, 3]) {
      expect(store.get(keyOf(n))).toEqual(entryOf(n));
      expect(reader.get(keyOf(n))).toEqual(entryOf(n));
    }
    expect(store.get(keyOf(4))).toBeUndefined();
    expect(reader.stats()).toMatchObject({ hits: 3, damaged: 0, errors: 0 });
    expect(reader.prune()).toEqual({ expired: 0, damaged: 0, evicted: 0, tempFilesRemoved: 0 });
  });

  it('keeps its size count right when a limited write fails, and writes again once there is room', () => {
    const store = storeOnDisk({ maxBytes: 1_000_000 });
    for (const n of [1, 2]) store.set(keyOf(n), entryOf(n));
    const usage = store.usage();
    disk.fill();
    expect(() => store.set(keyOf(3), entryOf(3))).toThrow(/ENOSPC/);
    expect(store.usage()).toEqual(usage);

    disk.free();
    store.set(keyOf(3), entryOf(3));
    expect(store.get(keyOf(3))).toEqual(entryOf(3));
    expect(store.usage().entries).toBe(3);
    expect(store.stats()).toMatchObject({ writes: 3, failedWrites: 1 });
  });
});
