import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../../src/config.js';
import { asMemoized, Memoizer, PersistentMemoizer } from '../../src/index.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { deferred, manualClock, recordDump, removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
  resetSettingsForTests();
  resetWarningsForTests();
});

afterAll(removeTemporaryDirectories);

function entryFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => /^[0-9a-f]{2}$/.test(name))
    .flatMap((shard) => readdirSync(path.join(directory, shard)));
}

describe('invalidate', () => {
  it('drops exactly the entry of that call from memory: the next call runs, other calls stay cached', async () => {
    const memoizer = new Memoizer();
    const load = vi.fn((id: number) => ({ id }));
    const getUser = memoizer.memoize({ name: 'getUser' })(load);
    const first = getUser(1);
    const other = getUser(2);
    await getUser.invalidate(1);
    const second = getUser(1);
    expect(second).toEqual({ id: 1 });
    expect(second).not.toBe(first);
    expect(getUser(2)).toBe(other);
    expect(load).toHaveBeenCalledTimes(3);
    expect(memoizer.stats().invalidations).toBe(1);
  });

  it('keys the call as a call does, with a paramsEncoder and with more than three arguments', async () => {
    const memoizer = new Memoizer();
    const byId = vi.fn((user: { id: number; name: string }) => user.name);
    const named = memoizer.memoize({ paramsEncoder: (user: { id: number }) => user.id })(byId);
    const many = vi.fn((a: number, b: number, c: number, d: number) => a + b + c + d);
    const sum = memoizer.memoize()(many);
    named({ id: 1, name: 'a' });
    sum(1, 2, 3, 4);
    await named.invalidate({ id: 1, name: 'other name, same id' });
    await sum.invalidate(1, 2, 3, 4);
    named({ id: 1, name: 'b' });
    sum(1, 2, 3, 4);
    expect(byId).toHaveBeenCalledTimes(2);
    expect(many).toHaveBeenCalledTimes(2);
  });

  it('lets a call in flight deliver its result but not store it, and does not share it with later calls', async () => {
    const memoizer = new Memoizer();
    const pending = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const fetchUser = memoizer.memoize({ name: 'fetchUser' })((_id: number) => pending[calls++]!.promise);
    const inFlight = fetchUser(1);
    await fetchUser.invalidate(1);
    const after = fetchUser(1);
    expect(calls).toBe(2);
    pending[0]!.resolve('stale');
    await expect(inFlight).resolves.toBe('stale');
    expect(fetchUser.peek(1)).toBeUndefined();
    pending[1]!.resolve('fresh');
    await expect(after).resolves.toBe('fresh');
    await expect(fetchUser.peek(1)).resolves.toBe('fresh');
  });

  it('drops a preloaded dump entry for this memoizer only, leaving the file alone', async () => {
    const file = await recordDump((memoizer) => {
      memoizer.memoize({ name: 'square' })((x: number) => x * x)(3);
    });
    const square = vi.fn((x: number) => x * x);
    const first = new Memoizer({ preloadFrom: file });
    const second = new Memoizer({ preloadFrom: file });
    const firstSquare = first.memoize({ name: 'square' })(square);
    const secondSquare = second.memoize({ name: 'square' })(square);
    await firstSquare.invalidate(3);
    expect(firstSquare(3)).toBe(9);
    expect(square).toHaveBeenCalledTimes(1);
    expect(secondSquare(3)).toBe(9);
    expect(square).toHaveBeenCalledTimes(1);
    expect(second.stats().hits.preload).toBe(1);
  });

  it('removes the entry file on disk, so a new memoizer on the same folder computes again', async () => {
    const cacheDir = temporaryDirectory();
    const area = vi.fn((w: number, h: number) => w * h);
    const persistent = new PersistentMemoizer({ cacheDir, subDir: 'shapes' });
    const fast = persistent.memoize({ name: 'area' })(area);
    fast(2, 3);
    fast(4, 5);
    expect(entryFiles(persistent.directory)).toHaveLength(2);
    await fast.invalidate(2, 3);
    expect(entryFiles(persistent.directory)).toHaveLength(1);
    const later = new PersistentMemoizer({ cacheDir, subDir: 'shapes' }).memoize({ name: 'area' })(area);
    later(2, 3);
    later(4, 5);
    expect(area).toHaveBeenCalledTimes(3);
  });

  it('works on record and replay wrappers too: a replay of an invalidated call misses', async () => {
    const memoizer = new Memoizer();
    const recorded = memoizer.record({ name: 'f' })((x: number) => x + 1);
    const replayed = memoizer.replay({ name: 'f' })((x: number) => x + 1);
    recorded(1);
    expect(replayed(1)).toBe(2);
    await replayed.invalidate(1);
    expect(() => replayed(1)).toThrow(expect.objectContaining({ code: 'ERR_MEMOTAPE_CACHE_MISS' }));
  });

  it('throws the key error of an argument that cannot be keyed, as a call would', () => {
    const memoizer = new Memoizer();
    const fast = memoizer.memoize()((value: unknown) => value);
    expect(() => fast.invalidate(() => 1)).toThrow(expect.objectContaining({ code: 'ERR_MEMOTAPE_KEY_ENCODING' }));
  });
});

describe('peek', () => {
  it('answers the cached result without running the function or counting a hit', () => {
    const memoizer = new Memoizer();
    const load = vi.fn((id: number) => ({ id }));
    const getUser = memoizer.memoize({ name: 'getUser' })(load);
    expect(getUser.peek(1)).toBeUndefined();
    const user = getUser(1);
    expect(getUser.peek(1)).toBe(user);
    expect(load).toHaveBeenCalledTimes(1);
    expect(memoizer.stats().hits.memory).toBe(0);
    expect(memoizer.stats().functions.getUser).toMatchObject({ hits: 0, misses: 1 });
  });

  it('answers a promise for an async function, as a hit would, and nothing while the call is in flight', async () => {
    const memoizer = new Memoizer();
    const pending = deferred<string>();
    const fetchName = memoizer.memoize()(async (_id: number) => pending.promise);
    const call = fetchName(1);
    expect(fetchName.peek(1)).toBeUndefined();
    pending.resolve('ada');
    await call;
    const peeked = fetchName.peek(1);
    expect(peeked).toBeInstanceOf(Promise);
    await expect(peeked).resolves.toBe('ada');
  });

  it('ignores expired entries and decodes with the resultDecoder', () => {
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now });
    const fast = memoizer.memoize({
      ttl: 100,
      resultEncoder: () => () => (value: Date) => value.toISOString(),
      resultDecoder: () => () => (text: string) => new Date(text),
    })((ms: number) => new Date(ms));
    fast(0);
    expect(fast.peek(0)).toEqual(new Date(0));
    clock.advance(100);
    expect(fast.peek(0)).toBeUndefined();
  });

  it('finds disk and preloaded entries without filling memory', async () => {
    const cacheDir = temporaryDirectory();
    new PersistentMemoizer({ cacheDir, subDir: 'p' }).memoize({ name: 'double' })((x: number) => x * 2)(21);
    const reader = new PersistentMemoizer({ cacheDir, subDir: 'p' });
    const double = reader.memoize({ name: 'double' })((x: number) => x * 2);
    expect(double.peek(21)).toBe(42);
    expect(reader.stats().size).toBe(0);
    expect(reader.stats().hits.disk).toBe(0);
    const file = await recordDump((memoizer) => memoizer.memoize({ name: 'half' })((x: number) => x / 2)(8));
    const preloaded = new Memoizer({ preloadFrom: file }).memoize({ name: 'half' })((x: number) => x / 2);
    expect(preloaded.peek(8)).toBe(4);
  });
});

describe('asMemoized', () => {
  it('types a wrapped function (also one wrapped with caching disabled), and refuses a function never wrapped', () => {
    const memoizer = new Memoizer();
    const wrapped = memoizer.memoize()((x: number) => x);
    expect(asMemoized(wrapped)).toBe(wrapped);
    configure({ enabled: false });
    const passThrough = memoizer.memoize()((x: number) => x);
    expect(asMemoized(passThrough).peek(1)).toBeUndefined();
    expect(() => asMemoized((x: number) => x)).toThrow(TypeError);
  });
});
