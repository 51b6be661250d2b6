import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_FILE_MARK } from '../../src/internal/atomic-write.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { canonicalizeArgs, persistedKey } from '../../src/key.js';
import { encodeDiskEntry } from '../../src/stores/disk-entry-format.js';
import { DiskStore } from '../../src/stores/disk-store.js';
import type { StoredEntry } from '../../src/stores/store.js';

let root: string;
let directory: string;
let warnings: Error[];
const onWarning = (warning: Error) => warnings.push(warning);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'memotape-disk-store-'));
  directory = path.join(root, 'disk-v1', 'store');
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(() => {
  process.off('warning', onWarning);
  resetWarningsForTests();
  rmSync(root, { recursive: true, force: true });
});

const flushWarnings = () => new Promise((resolve) => setImmediate(resolve));
const keyOf = (n: number) => persistedKey('f', canonicalizeArgs([n]));
const entryOf = (n: number, extra: Partial<StoredEntry> = {}): StoredEntry => ({
  namespace: 'f',
  params: { args: [n] },
  result: { n, text: 'x'.repeat(100) },
  promise: false,
  createdAt: 1_000,
  ...extra,
});
const fileOf = (key: string) => path.join(directory, key.slice(0, 2), `${key}.json`);

function manualClock(start = 1_700_000_000_000) {
  const clock = () => clock.now;
  clock.now = start;
  return clock;
}

describe('DiskStore basics', () => {
  it('writes one file per key under a 2-hex shard folder and reads it back', () => {
    const store = new DiskStore({ directory });
    store.set(keyOf(1), entryOf(1));
    expect(existsSync(fileOf(keyOf(1)))).toBe(true);
    expect(store.get(keyOf(1))).toEqual(entryOf(1));
    expect(readdirSync(path.dirname(fileOf(keyOf(1))))).toEqual([`${keyOf(1)}.json`]);
  });

  it('reads a missing entry, a missing folder or a malformed key as a miss', () => {
    const store = new DiskStore({ directory });
    expect(store.get(keyOf(1))).toBeUndefined();
    expect(store.get('../../etc/passwd')).toBeUndefined();
    expect(() => store.set('../escape', entryOf(1))).toThrow(TypeError);
  });

  it('replaces an entry on a second write and deletes it on request', () => {
    const store = new DiskStore({ directory });
    store.set(keyOf(1), entryOf(1));
    store.set(keyOf(1), entryOf(1, { result: 'second' }));
    expect(store.get(keyOf(1))?.result).toBe('second');
    expect(store.delete(keyOf(1))).toBe(true);
    expect(store.delete(keyOf(1))).toBe(false);
    expect(store.get(keyOf(1))).toBeUndefined();
  });

  it('clears the whole folder, harmlessly twice, leaving nothing behind', () => {
    const store = new DiskStore({ directory });
    for (let n = 0; n < 5; n++) store.set(keyOf(n), entryOf(n));
    store.clear();
    store.clear();
    expect(existsSync(directory)).toBe(false);
    expect(readdirSync(path.dirname(directory))).toEqual([]);
    expect(store.usage()).toEqual({ bytes: 0, entries: 0 });
    store.set(keyOf(1), entryOf(1));
    expect(store.get(keyOf(1))).toEqual(entryOf(1));
  });

  it('works with durable writes', () => {
    const store = new DiskStore({ directory, durable: true });
    store.set(keyOf(1), entryOf(1));
    expect(store.get(keyOf(1))).toEqual(entryOf(1));
  });

  it('rejects invalid options with a TypeError naming the option', () => {
    expect(() => new DiskStore({ directory: '' })).toThrow(/`directory`/);
    expect(() => new DiskStore({ directory, durable: 'yes' as never })).toThrow(/`durable`/);
    expect(() => new DiskStore({ directory, maxBytes: -1 })).toThrow(/`maxBytes`/);
    expect(() => new DiskStore({ directory, clock: 5 as never })).toThrow(/`clock`/);
  });
});

describe('DiskStore with damaged entries', () => {
  const damages: [string, (file: string, key: string) => void][] = [
    ['truncated', (file) => writeFileSync(file, readFileSync(file).subarray(0, 90))],
    ['empty', (file) => writeFileSync(file, '')],
    ['garbage', (file) => writeFileSync(file, Buffer.from([0, 255, 1, 2, 3, 123, 34]))],
    ['bad checksum', (file) => writeFileSync(file, readFileSync(file, 'utf8').replace('"n":1', '"n":7'))],
    ['wrong version', (file) => writeFileSync(file, readFileSync(file, 'utf8').replace('"version":1', '"version":9'))],
    [
      'wrong key',
      (file, key) =>
        writeFileSync(
          file,
          encodeDiskEntry(keyOf(2), entryOf(2), 0).toString().replace(keyOf(2), key.replace(/.$/, '0')),
        ),
    ],
  ];

  it.each(damages)('reads a %s entry as a miss and removes it', (_name, spoil) => {
    const store = new DiskStore({ directory });
    store.set(keyOf(1), entryOf(1));
    spoil(fileOf(keyOf(1)), keyOf(1));
    expect(store.get(keyOf(1))).toBeUndefined();
    expect(existsSync(fileOf(keyOf(1)))).toBe(false);
    expect(store.stats().damaged).toBe(1);
    store.set(keyOf(1), entryOf(1));
    expect(store.get(keyOf(1))).toEqual(entryOf(1));
  });

  it('sets aside a folder found where an entry file should be', () => {
    const store = new DiskStore({ directory });
    mkdirSync(path.join(fileOf(keyOf(1)), 'inner'), { recursive: true });
    expect(store.get(keyOf(1))).toBeUndefined();
    expect(existsSync(fileOf(keyOf(1)))).toBe(false);
    expect(readdirSync(path.dirname(fileOf(keyOf(1))))).toEqual([
      expect.stringMatching(new RegExp(`^${keyOf(1)}\\.json\\.damaged-`)),
    ]);
    store.set(keyOf(1), entryOf(1));
    expect(store.get(keyOf(1))).toEqual(entryOf(1));
  });

  it('warns once per folder, however many damaged entries it meets', async () => {
    const store = new DiskStore({ directory });
    for (const n of [1, 2, 3]) {
      store.set(keyOf(n), entryOf(n));
      writeFileSync(fileOf(keyOf(n)), 'garbage');
      expect(store.get(keyOf(n))).toBeUndefined();
    }
    await flushWarnings();
    const ours = warnings.filter((warning) => warning.message.includes(directory));
    expect(ours.map((warning) => (warning as { code?: string }).code)).toEqual(['MEMOTAPE_DISK_DAMAGED_ENTRY']);
    expect(store.stats()).toMatchObject({ damaged: 3, misses: 3 });
  });
});

describe('DiskStore expiry and last use', () => {
  it('reads an expired entry as a miss and removes its file', () => {
    const clock = manualClock();
    const store = new DiskStore({ directory, clock });
    store.set(keyOf(1), entryOf(1, { expiresAt: clock.now + 1_000 }));
    clock.now += 999;
    expect(store.get(keyOf(1))).toBeDefined();
    clock.now += 1;
    expect(store.get(keyOf(1))).toBeUndefined();
    expect(existsSync(fileOf(keyOf(1)))).toBe(false);
    expect(store.stats().expirations).toBe(1);
  });

  it('stamps a written file with the clock, and moves it forward on a read at most once per touchInterval', () => {
    const clock = manualClock();
    const store = new DiskStore({ directory, clock, touchInterval: 60_000 });
    const written = clock.now;
    store.set(keyOf(1), entryOf(1));
    const mtime = () => statSync(fileOf(keyOf(1))).mtimeMs;
    expect(mtime()).toBe(written);
    clock.now += 59_999;
    store.get(keyOf(1));
    expect(mtime()).toBe(written);
    clock.now += 1;
    store.get(keyOf(1));
    expect(mtime()).toBe(written + 60_000);
  });
});

describe('DiskStore size limit', () => {
  it('evicts the least recently used entries (down to 90% of maxBytes) when a write goes over it', () => {
    const clock = manualClock();
    const size = encodeDiskEntry(keyOf(0), entryOf(0), clock.now).length;
    const store = new DiskStore({ directory, clock, maxBytes: Math.floor(size * 4.5), touchInterval: 0 });
    for (const n of [0, 1, 2, 3]) {
      store.set(keyOf(n), entryOf(n));
      clock.now += 1_000;
    }
    store.get(keyOf(0)); // 0 is now the most recently used; 1 is the least
    clock.now += 1_000;
    store.set(keyOf(4), entryOf(4));
    expect(store.get(keyOf(1))).toBeUndefined();
    expect([0, 2, 3, 4].map((n) => store.get(keyOf(n)) !== undefined)).toEqual([true, true, true, true]);
    expect(store.stats().evictions).toBe(1);
    expect(store.usage()).toEqual({ bytes: size * 4, entries: 4 });
  });

  it('never keeps an entry bigger than maxBytes, and drops the older entry of its key', () => {
    const store = new DiskStore({ directory, maxBytes: 1_000 });
    store.set(keyOf(1), entryOf(1));
    store.set(keyOf(1), entryOf(1, { result: 'y'.repeat(2_000) }));
    expect(store.get(keyOf(1))).toBeUndefined();
    expect(store.stats().evictions).toBe(1);
  });

  it('tracks bytes and entries after one listing of the folder', () => {
    const first = new DiskStore({ directory });
    first.set(keyOf(1), entryOf(1));
    first.set(keyOf(2), entryOf(2));
    const store = new DiskStore({ directory });
    const one = statSync(fileOf(keyOf(1))).size;
    expect(store.usage()).toEqual({ bytes: one * 2, entries: 2 });
    store.set(keyOf(3), entryOf(3));
    store.set(keyOf(3), entryOf(3));
    store.delete(keyOf(1));
    expect(store.usage()).toEqual({ bytes: one * 2, entries: 2 });
  });
});

describe('DiskStore clean-up', () => {
  function tempFile(name: string, ageMs: number): string {
    const shard = path.join(directory, 'ab');
    mkdirSync(shard, { recursive: true });
    const file = path.join(shard, `${TEMP_FILE_MARK}${name}`);
    writeFileSync(file, 'partial');
    const time = (Date.now() - ageMs) / 1000;
    utimesSync(file, time, time);
    return file;
  }

  it('prune removes temp files older than staleTempAge and keeps younger ones (a live writer)', () => {
    const store = new DiskStore({ directory, staleTempAge: 60_000 });
    const stale = tempFile('stale', 120_000);
    const live = tempFile('live', 1_000);
    expect(store.prune()).toMatchObject({ tempFilesRemoved: 1 });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('sweeps stale temp files and cleared folders at startup, at most once per hour per folder', () => {
    const stale = tempFile('stale', 3_600_000);
    const trash = path.join(path.dirname(directory), `${TEMP_FILE_MARK}clear-store-1-abc`);
    mkdirSync(path.join(trash, '00'), { recursive: true });
    utimesSync(trash, 0, 0);
    new DiskStore({ directory }).sweepIfDue();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(trash)).toBe(false);
    const again = tempFile('again', 3_600_000);
    new DiskStore({ directory }).sweepIfDue();
    expect(existsSync(again)).toBe(true);
  });

  it('prune removes expired and damaged entries and answers the counts', () => {
    const clock = manualClock();
    const store = new DiskStore({ directory, clock });
    store.set(keyOf(1), entryOf(1, { expiresAt: clock.now + 10 }));
    store.set(keyOf(2), entryOf(2));
    store.set(keyOf(3), entryOf(3));
    writeFileSync(fileOf(keyOf(3)), '{"truncated');
    clock.now += 10;
    expect(store.prune()).toEqual({ expired: 1, damaged: 1, evicted: 0, tempFilesRemoved: 0 });
    expect(store.usage()).toEqual({ bytes: statSync(fileOf(keyOf(2))).size, entries: 1 });
  });
});

describe('DiskStore in an unusable folder', () => {
  it('throws from set but reads as a miss when a file stands where the folder should be', () => {
    writeFileSync(path.join(root, 'disk-v1'), 'not a folder');
    const store = new DiskStore({ directory });
    expect(() => store.set(keyOf(1), entryOf(1))).toThrow(/ENOTDIR|EEXIST/);
    expect(store.get(keyOf(1))).toBeUndefined();
    expect(store.stats()).toMatchObject({ failedWrites: 1, errors: 0 });
    expect(() => store.sweepIfDue()).not.toThrow();
    expect(() => store.prune()).not.toThrow();
  });
});

describe('DiskStore input checks', () => {
  it('refuses unknown options and a directory that is no path, naming the option', () => {
    expect(() => new DiskStore({ directory, maxbytes: 10 } as never)).toThrow(
      /Unknown option `maxbytes` passed to DiskStore/,
    );
    expect(() => new DiskStore({ directory: `${directory}\0x` })).toThrow(/`directory` to be a non-empty path/);
    expect(() => new DiskStore([] as never)).toThrow(/options object for DiskStore, got an array/);
  });

  it('refuses, at set, an entry that would not read back, and keeps what is stored', () => {
    const store = new DiskStore({ directory });
    store.set(keyOf(1), entryOf(1));
    const before = readFileSync(fileOf(keyOf(1)));
    const bad: [string, Partial<StoredEntry>][] = [
      ['expiresAt', { expiresAt: Number.POSITIVE_INFINITY }],
      ['createdAt', { createdAt: Number.NaN }],
      ['result', { result: undefined as never }],
      ['namespace', { namespace: undefined as never }],
    ];
    for (const [field, change] of bad) {
      expect(() => store.set(keyOf(1), entryOf(1, change))).toThrow(new RegExp(`\`${field}\` would not read back`));
    }
    expect(readFileSync(fileOf(keyOf(1)))).toEqual(before);
    expect(store.get(keyOf(1))).toEqual(entryOf(1));
  });
});
