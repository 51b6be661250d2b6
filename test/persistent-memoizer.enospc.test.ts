import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheMissError, PersistentMemoizer } from '../src/index.js';
import { TEMP_FILE_MARK } from '../src/internal/atomic-write.js';
import { fullDiskTitle, fullDiskUnavailable, useSmallDisk } from './helpers/full-disk.js';
import { captureWarnings } from './helpers/warnings.js';

/** The bytes of every file under `folder`, by relative path (temp files included). */
function snapshot(folder: string): Record<string, string> {
  const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(
    files.map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(folder, file), readFileSync(file, 'hex')];
    }),
  );
}

const tempFiles = (folder: string) =>
  Object.keys(snapshot(folder)).filter((file) => path.basename(file).startsWith(TEMP_FILE_MARK));

// Needs a real full file system (a tmpfs mount, so Linux and root): skipped with the probe's reason elsewhere.
describe.skipIf(fullDiskUnavailable !== undefined)(fullDiskTitle('PersistentMemoizer on a full disk'), () => {
  const disk = useSmallDisk();
  const warnings = captureWarnings();
  let runs = 0;
  let cacheDir: string;

  afterEach(() => {
    disk.free();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const persistent = () => new PersistentMemoizer({ cacheDir, subDir: 'tests' });

  function startCacheDir(): void {
    cacheDir = path.join(disk.directory, `cache-${runs++}`);
  }

  it('returns every result, warns once, counts each failed write and leaves the disk as it was', async () => {
    startCacheDir();
    const work = vi.fn((x: number) => ({ tripled: x * 3, at: new Date(x) }));
    const fetchUser = vi.fn(async (id: number) => `user ${id}`);
    const memoizer = persistent();
    const fast = memoizer.memoize({ name: 'work' })(work);
    const fastFetch = memoizer.memoize({ name: 'fetchUser' })(fetchUser);
    expect([fast(1), fast(2)]).toEqual([
      { tripled: 3, at: new Date(1) },
      { tripled: 6, at: new Date(2) },
    ]);
    const before = snapshot(cacheDir);
    disk.fill();

    expect([fast(3), fast(4), fast(3)]).toEqual([
      { tripled: 9, at: new Date(3) },
      { tripled: 12, at: new Date(4) },
      { tripled: 9, at: new Date(3) },
    ]);
    // A promise's result is written when it settles: that failure must not reject it, nor escape as unhandled.
    await expect(fastFetch(7)).resolves.toBe('user 7');
    expect(work).toHaveBeenCalledTimes(4);

    expect(warnings.codes()).toEqual([expect.stringMatching(/^MEMOTAPE_TIER_FAILED: .*ENOSPC/)]);
    expect(memoizer.stats()).toMatchObject({
      writes: 5,
      errors: 3,
      disk: { writes: 2, failedWrites: 3, entries: 2 },
    });
    expect(tempFiles(cacheDir)).toEqual([]);
    expect(snapshot(cacheDir)).toEqual(before);
  });

  it('leaves the entries already on disk readable by a new memoizer, as by a new process', () => {
    startCacheDir();
    const work = vi.fn((x: number) => x * 3);
    const recorded = vi.fn((x: number) => `recorded ${x} #${recorded.mock.calls.length}`);
    const writer = persistent();
    writer.memoize({ name: 'work' })(work)(1);
    const record = writer.record({ name: 'recorded' })(recorded);
    expect(record(1)).toBe('recorded 1 #1');
    disk.fill();
    // `record` runs again and replaces the entry: the replacement fails, and the old entry must stay whole.
    expect(record(1)).toBe('recorded 1 #2');
    writer.memoize({ name: 'work' })(work)(2);

    const reader = persistent();
    expect(reader.replay({ name: 'work' })(work)(1)).toBe(3);
    expect(reader.replay({ name: 'recorded' })(recorded)(1)).toBe('recorded 1 #1');
    expect(() => reader.replay({ name: 'work' })(work)(2)).toThrow(CacheMissError);
    expect(reader.stats()).toMatchObject({ hits: { disk: 2 }, errors: 0, disk: { damaged: 0 } });
  });

  it('writes to disk again once there is room, without another warning', () => {
    startCacheDir();
    const work = vi.fn((x: number) => x * 3);
    const memoizer = persistent();
    const fast = memoizer.memoize({ name: 'work' })(work);
    disk.fill();
    fast(1);
    disk.free();
    fast(2);
    expect(persistent().replay({ name: 'work' })(work)(2)).toBe(6);
    expect(warnings.codes()).toHaveLength(1);
    expect(memoizer.stats().disk).toMatchObject({ writes: 1, failedWrites: 1 });
  });
});
