import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evictLeastRecentlyUsed, removeIfUnchanged, scanStore } from '../../src/stores/disk-eviction.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'memotape-eviction-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const key = (n: number) => `${n.toString(16).padStart(2, '0')}${'0'.repeat(30)}`;

/** Writes an entry file of `size` bytes last used at `usedAt` (seconds). */
function place(n: number, size: number, usedAt: number): string {
  const shard = path.join(directory, key(n).slice(0, 2));
  mkdirSync(shard, { recursive: true });
  const file = path.join(shard, `${key(n)}.json`);
  writeFileSync(file, 'x'.repeat(size));
  utimesSync(file, usedAt, usedAt);
  return file;
}

describe('scanStore', () => {
  it('lists entry files with their size and last-used time, and reports folders in their place', () => {
    place(1, 10, 100);
    place(2, 20, 200);
    mkdirSync(path.join(directory, key(3).slice(0, 2), `${key(3)}.json`), { recursive: true });
    writeFileSync(path.join(directory, 'not-a-shard'), '');
    const result = scanStore(directory, 0);
    expect(result.bytes).toBe(30);
    expect(result.files.map((file) => [file.key, file.size, file.mtimeMs]).sort()).toEqual([
      [key(1), 10, 100_000],
      [key(2), 20, 200_000],
    ]);
    expect(result.misplaced).toEqual([path.join(directory, '03', `${key(3)}.json`)]);
  });

  it('finds nothing, without errors, in a folder that does not exist', () => {
    expect(scanStore(path.join(directory, 'missing'), 0)).toMatchObject({ files: [], bytes: 0, errors: [] });
  });
});

describe('evictLeastRecentlyUsed', () => {
  it('removes the oldest files first until the total is at most the target', () => {
    place(1, 10, 300);
    place(2, 10, 100);
    place(3, 10, 200);
    const { files } = scanStore(directory, 0);
    const result = evictLeastRecentlyUsed(files, 15, []);
    expect(result).toEqual({ evicted: 2, bytes: 10, entries: 1 });
    expect(scanStore(directory, 0).files.map((file) => file.key)).toEqual([key(1)]);
  });

  it('keeps a file that was used or rewritten since the listing', () => {
    place(1, 10, 100);
    place(2, 10, 200);
    const { files } = scanStore(directory, 0);
    place(1, 10, 300);
    const result = evictLeastRecentlyUsed(files, 10, []);
    expect(result.evicted).toBe(1);
    expect(scanStore(directory, 0).files.map((file) => file.key)).toEqual([key(1)]);
  });
});

describe('removeIfUnchanged', () => {
  it('answers gone for a file already removed', () => {
    place(1, 10, 100);
    const [file] = scanStore(directory, 0).files;
    rmSync(file!.file);
    expect(removeIfUnchanged(file!)).toBe('gone');
  });
});
