import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../src/config.js';
import {
  CacheMissError,
  DeferredRecording,
  Memoizer,
  NamespaceError,
  PersistentMemoizer,
  type PersistentMemoizerOptions,
} from '../src/index.js';
import { TEMP_FILE_MARK } from '../src/internal/atomic-write.js';
import { resetWarningsForTests } from '../src/internal/warn.js';

let cacheDir: string;
let warnings: (Error & { code?: string })[];
const onWarning = (warning: Error) => warnings.push(warning);

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'memotape-persistent-'));
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(() => {
  process.off('warning', onWarning);
  resetWarningsForTests();
  resetSettingsForTests();
  rmSync(cacheDir, { recursive: true, force: true });
});

const persistent = (options: PersistentMemoizerOptions = {}) =>
  new PersistentMemoizer({ cacheDir, subDir: 'tests', ...options });
const flushWarnings = () => new Promise((resolve) => setImmediate(resolve));

/** Every entry file under the cache dir. */
function entryFiles(): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of existsSync(folder) ? readdirSync(folder, { withFileTypes: true }) : []) {
      if (name.isDirectory()) walk(path.join(folder, name.name));
      else if (name.name.endsWith('.json')) files.push(path.join(folder, name.name));
    }
  };
  walk(cacheDir);
  return files;
}

function manualClock(start = 1_700_000_000_000) {
  const clock = () => clock.now;
  clock.now = start;
  return clock;
}

describe('PersistentMemoizer across memoizers (as across processes)', () => {
  it('records to memory and disk; a fresh memoizer replays from disk without calling the function', () => {
    const double = vi.fn((x: number) => ({ doubled: x * 2, at: new Date(0), tags: new Set([x]) }));
    const writer = persistent();
    expect(writer.record({ name: 'double' })(double)(21)).toEqual({
      doubled: 42,
      at: new Date(0),
      tags: new Set([21]),
    });
    expect(entryFiles()).toHaveLength(1);
    const reader = persistent();
    const replayed = reader.replay({ name: 'double' })(double);
    expect(replayed(21)).toEqual({ doubled: 42, at: new Date(0), tags: new Set([21]) });
    expect(double).toHaveBeenCalledTimes(1);
    expect(reader.stats().hits).toMatchObject({ memory: 0, disk: 1 });
    expect(() => replayed(1)).toThrow(CacheMissError);
  });

  it('fills memory from a disk hit, so the next call needs no file', () => {
    persistent().record({ name: 'square' })((x: number) => x * x)(3);
    const reader = persistent();
    const replayed = reader.replay({ name: 'square' })((x: number) => x * x);
    expect(replayed(3)).toBe(9);
    rmSync(path.join(cacheDir, 'disk-v1'), { recursive: true });
    expect(replayed(3)).toBe(9);
    expect(reader.stats().hits).toMatchObject({ memory: 1, disk: 1 });
  });

  it('memoize replays from disk, else runs and records', () => {
    const work = vi.fn((x: number) => x + 1);
    persistent().memoize({ name: 'work' })(work)(1);
    const again = persistent().memoize({ name: 'work' })(work);
    expect(again(1)).toBe(2);
    expect(again(2)).toBe(3);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('writes promise results when they settle, never rejections, and replays them as promises', async () => {
    let resolve!: (value: string) => void;
    const fetchUser = vi.fn((id: number) =>
      id === 0 ? Promise.reject(new Error('no user 0')) : new Promise<string>((done) => (resolve = done)),
    );
    const memoized = persistent().memoize({ name: 'fetchUser' })(fetchUser);
    const pending = memoized(1);
    expect(entryFiles()).toHaveLength(0);
    resolve('ada');
    await expect(pending).resolves.toBe('ada');
    expect(entryFiles()).toHaveLength(1);
    await expect(memoized(0)).rejects.toThrow('no user 0');
    expect(entryFiles()).toHaveLength(1);
    const replayed = persistent().replay({ name: 'fetchUser' })(fetchUser)(1);
    expect(replayed).toBeInstanceOf(Promise);
    await expect(replayed).resolves.toBe('ada');
  });

  it('writes a deferred recording when it is finalized', () => {
    const recordings: DeferredRecording<number, number>[] = [];
    const resultEncoder = () => () => () => {
      const recording = new DeferredRecording<number, number>();
      recordings.push(recording);
      return recording;
    };
    persistent().record({ name: 'deferred', resultEncoder })((x: number) => x)(5);
    expect(entryFiles()).toHaveLength(0);
    recordings[0]!.finalize(50);
    expect(persistent().replay({ name: 'deferred' })((x: number) => x)(5)).toBe(50);
  });

  it('names its dump collection and its folder by subDir', () => {
    const memoizer = persistent({ subDir: 'should-pad' });
    expect(memoizer.collection).toBe('should-pad');
    expect(memoizer.directory).toBe(path.join(cacheDir, 'disk-v1', 'should-pad'));
    expect(new PersistentMemoizer({ cacheDir }).directory).toBe(path.join(cacheDir, 'disk-v1', '_default'));
    expect(new PersistentMemoizer({ cacheDir, subDir: '' }).collection).toBe('null');
  });

  it('uses the configured cache dir by default', () => {
    configure({ cacheDir: path.join(cacheDir, 'configured') });
    expect(new PersistentMemoizer().directory).toBe(path.join(cacheDir, 'configured', 'disk-v1', '_default'));
  });
});

describe('PersistentMemoizer namespaces and options', () => {
  it('refuses an anonymous function or two functions with one name, at wrap time', () => {
    const memoizer = persistent({ subDir: 'names' });
    expect(() => memoizer.memoize()((x: number) => x)).toThrow(NamespaceError);
    memoizer.memoize()(function clash(x: number) {
      return x;
    });
    expect(() =>
      memoizer.memoize()(function clash(x: number) {
        return -x;
      }),
    ).toThrow(NamespaceError);
  });

  it.each([
    [{ subDir: 'a/b' }, 'subDir'],
    [{ subDir: '..' }, 'subDir'],
    [{ subDir: '.hidden' }, 'subDir'],
    [{ cacheDir: '' }, 'cacheDir'],
    [{ maxDiskBytes: 0 }, 'maxDiskBytes'],
    [{ maxDiskBytes: 1.5 }, 'maxDiskBytes'],
    [{ durable: 'yes' }, 'durable'],
    [{ ttl: -1 }, 'ttl'],
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ subKey: 'x' }, 'subKey'],
    [{ colour: 'blue' }, 'colour'],
  ])('rejects %j with a TypeError naming the option', (options, name) => {
    expect(() => new PersistentMemoizer({ cacheDir, ...(options as object) })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(`\`${name}\``) }),
    );
  });
});

describe('PersistentMemoizer clean-up and stats', () => {
  it('cacheClear empties memory and its own folder, and is harmless twice', () => {
    const work = vi.fn((x: number) => x);
    const memoizer = persistent();
    const other = persistent({ subDir: 'other' });
    memoizer.memoize({ name: 'work' })(work)(1);
    other.memoize({ name: 'work' })(work)(1);
    memoizer.cacheClear();
    memoizer.cacheClear();
    expect(existsSync(memoizer.directory)).toBe(false);
    expect(entryFiles()).toHaveLength(1);
    memoizer.memoize({ name: 'work' })(work)(1);
    expect(work).toHaveBeenCalledTimes(3);
  });

  it('counts hits per tier, misses, writes and the folder size', () => {
    const memoizer = persistent();
    const fast = memoizer.memoize({ name: 'id' })((x: number) => x);
    fast(1);
    fast(1);
    fast(2);
    persistent().memoize({ name: 'id' })((x: number) => x)(1);
    const stats = memoizer.stats();
    expect(stats).toMatchObject({ hits: { memory: 1, disk: 0 }, misses: 2, writes: 2, evictions: 0, errors: 0 });
    expect(stats.disk).toMatchObject({ directory: memoizer.directory, entries: 2, writes: 2, damaged: 0 });
    expect(stats.disk.bytes).toBeGreaterThan(0);
  });

  it('expires entries after ttl on the injected clock, in memory and on disk', () => {
    const clock = manualClock();
    const work = vi.fn((x: number) => x * 10);
    const first = persistent({ ttl: 1_000, clock });
    const fast = first.memoize({ name: 'work' })(work);
    fast(1);
    clock.now += 999;
    expect(persistent({ clock }).replay({ name: 'work' })(work)(1)).toBe(10);
    clock.now += 1;
    expect(() => persistent({ clock }).replay({ name: 'work' })(work)(1)).toThrow(CacheMissError);
    expect(entryFiles()).toHaveLength(0);
    expect(fast(1)).toBe(10);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('prune removes expired entries from memory and disk and answers how many', () => {
    const clock = manualClock();
    const memoizer = persistent({ ttl: 100, clock });
    const fast = memoizer.memoize({ name: 'work' })((x: number) => x);
    fast(1);
    fast(2);
    clock.now += 100;
    // Two in memory and two on disk.
    expect(memoizer.prune()).toBe(4);
    expect(entryFiles()).toHaveLength(0);
    expect(memoizer.stats()).toMatchObject({ size: 0, expirations: 4 });
  });

  it('evicts the least recently used entry from memory beyond maxEntries; disk still has it', () => {
    const work = vi.fn((x: number) => x);
    const memoizer = persistent({ maxEntries: 2 });
    const fast = memoizer.memoize({ name: 'work' })(work);
    fast(1);
    fast(2);
    fast(1);
    fast(3);
    expect(memoizer.stats()).toMatchObject({ size: 2, evictions: 1 });
    expect(fast(2)).toBe(2);
    expect(work).toHaveBeenCalledTimes(3);
    expect(memoizer.stats().hits).toMatchObject({ memory: 1, disk: 1 });
  });

  it('evicts the least recently used entries on disk beyond maxDiskBytes', () => {
    const clock = manualClock();
    const memoizer = persistent({ maxDiskBytes: 1_000, clock });
    const fast = memoizer.memoize({ name: 'big' })((x: number) => `${x}`.repeat(150));
    for (let x = 0; x < 10; x++) {
      fast(x);
      clock.now += 1_000;
    }
    const { disk, evictions } = memoizer.stats();
    expect(disk.bytes).toBeLessThanOrEqual(1_000);
    expect(disk.evictions).toBeGreaterThan(0);
    expect(evictions).toBe(disk.evictions);
    const reader = persistent({ clock }).replay({ name: 'big' })((x: number) => `${x}`);
    expect(reader(9)).toBe('9'.repeat(150));
    expect(() => reader(0)).toThrow(CacheMissError);
  });

  it('removes stale temp files left in its folder when it starts', () => {
    const shard = path.join(cacheDir, 'disk-v1', 'tests', 'ab');
    mkdirSync(shard, { recursive: true });
    const stale = path.join(shard, `${TEMP_FILE_MARK}abc.json.123.0.deadbeef`);
    writeFileSync(stale, 'half an entry');
    utimesSync(stale, 0, 0);
    expect(persistent().stats().disk.tempFilesRemoved).toBe(1);
    expect(existsSync(stale)).toBe(false);
  });
});

describe('PersistentMemoizer with damaged entries and unusable folders', () => {
  const spoilers: [string, (file: string) => void][] = [
    ['truncated', (file) => writeFileSync(file, '{"format":"memotape-disk-entry","version":1,"key"')],
    ['garbage', (file) => writeFileSync(file, 'garbage')],
    ['bad checksum', (file) => writeFileSync(file, readFileAndReplace(file, '"result":7', '"result":8'))],
    ['wrong version', (file) => writeFileSync(file, readFileAndReplace(file, '"version":1', '"version":2'))],
    [
      'a folder',
      (file) => {
        rmSync(file);
        mkdirSync(file);
      },
    ],
  ];

  it.each(spoilers)('treats a %s entry as a miss: the function runs again and the right value returns', (_, spoil) => {
    const work = vi.fn((x: number) => x + 6);
    persistent().memoize({ name: 'work' })(work)(1);
    spoil(entryFiles()[0] ?? path.join(persistent().directory));
    const reader = persistent();
    expect(() => reader.replay({ name: 'work' })(work)(1)).toThrow(CacheMissError);
    expect(reader.memoize({ name: 'work' })(work)(1)).toBe(7);
    expect(work).toHaveBeenCalledTimes(2);
    expect(reader.stats().disk.damaged).toBe(1);
    expect(persistent().replay({ name: 'work' })(work)(1)).toBe(7);
  });

  it('keeps returning correct results from memory, with one warning, when the cache dir is a file', async () => {
    const blocked = path.join(cacheDir, 'blocked');
    writeFileSync(blocked, 'a file where the cache dir should be');
    const work = vi.fn((x: number) => x * 3);
    const memoizer = new PersistentMemoizer({ cacheDir: blocked, subDir: 'tests' });
    const fast = memoizer.memoize({ name: 'work' })(work);
    expect([fast(1), fast(2), fast(1), fast(2)]).toEqual([3, 6, 3, 6]);
    expect(work).toHaveBeenCalledTimes(2);
    await flushWarnings();
    expect(warnings.filter((warning) => warning.code === 'MEMOTAPE_TIER_FAILED')).toHaveLength(1);
    expect(memoizer.stats()).toMatchObject({ errors: 2, disk: { failedWrites: 2, entries: 0 } });
    expect(() => memoizer.cacheClear()).not.toThrow();
    expect(() => memoizer.prune()).not.toThrow();
  });
});

function readFileAndReplace(file: string, from: string, to: string): string {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} not found in ${file}`);
  return text.replace(from, to);
}

describe('Memoizer and PersistentMemoizer share the options they have in common', () => {
  it('accepts ttl and maxEntries on both', () => {
    expect(() => new Memoizer({ ttl: 10, maxEntries: 5 })).not.toThrow();
    expect(() => persistent({ ttl: 10, maxEntries: 5, maxDiskBytes: 1e6, durable: true })).not.toThrow();
  });
});

describe('PersistentMemoizer option checks', () => {
  it('names the option, whatever the type of the bad value (a BigInt included)', () => {
    expect(() => new PersistentMemoizer({ subDir: 10n as never })).toThrow(
      /`subDir` to be a single folder name .*got 10n/,
    );
    expect(() => new PersistentMemoizer({ cacheDir: 'a\0b' })).toThrow(/`cacheDir` to be a non-empty path without NUL/);
  });
});
