import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../../src/config.js';
import { flushDump } from '../../src/dump/flush.js';
import { resetParticipantsForTests } from '../../src/dump/participants.js';
import { freshScopes } from '../../src/freshness/fresh-scopes.js';
import { Memoizer, PersistentMemoizer, withFreshCache } from '../../src/index.js';
import { deferred, recordDump, removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
  resetSettingsForTests();
  resetParticipantsForTests();
});

afterAll(removeTemporaryDirectories);

function entryFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => /^[0-9a-f]{2}$/.test(name))
    .flatMap((shard) => readdirSync(path.join(directory, shard)))
    .sort();
}

describe('withFreshCache', () => {
  it('runs fn on an empty memory, then brings the earlier entries back and drops those recorded inside', () => {
    const memoizer = new Memoizer();
    const load = vi.fn((id: number) => ({ id }));
    const getUser = memoizer.memoize({ name: 'getUser' })(load);
    const before = getUser(1);
    const inside = withFreshCache(() => {
      expect(getUser.peek(1)).toBeUndefined();
      getUser(2);
      return getUser(1);
    });
    expect(inside).not.toBe(before);
    expect(getUser(1)).toBe(before);
    expect(getUser.peek(2)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(3);
    expect(freshScopes()).toHaveLength(0);
  });

  it('gives disk tiers an empty temp cache dir: the real folder is neither read nor written, and comes back', () => {
    const cacheDir = temporaryDirectory();
    const persistent = new PersistentMemoizer({ cacheDir, subDir: 'shapes' });
    const area = vi.fn((w: number, h: number) => w * h);
    const fast = persistent.memoize({ name: 'area' })(area);
    fast(2, 3);
    const realFiles = entryFiles(persistent.directory);
    let scopeDirectory = '';
    withFreshCache(() => {
      scopeDirectory = persistent.stats().disk.directory;
      expect(scopeDirectory).not.toBe(persistent.directory);
      expect(fast.peek(2, 3)).toBeUndefined();
      fast(2, 3);
      fast(4, 5);
      expect(entryFiles(scopeDirectory)).toHaveLength(2);
      persistent.cacheClear();
      expect(entryFiles(scopeDirectory)).toHaveLength(0);
    });
    expect(entryFiles(persistent.directory)).toEqual(realFiles);
    expect(existsSync(scopeDirectory)).toBe(false);
    expect(persistent.stats().disk.directory).toBe(persistent.directory);
    expect(fast(2, 3)).toBe(6);
    expect(area).toHaveBeenCalledTimes(3);
  });

  it('nests: each scope starts empty and gives the enclosing one its entries back', () => {
    const memoizer = new Memoizer();
    const identity = vi.fn((x: string) => ({ x }));
    const fast = memoizer.memoize()(identity);
    const outside = fast('a');
    withFreshCache(() => {
      const outer = fast('a');
      withFreshCache(() => {
        expect(fast.peek('a')).toBeUndefined();
        fast('a');
      });
      expect(fast('a')).toBe(outer);
    });
    expect(fast('a')).toBe(outside);
    expect(identity).toHaveBeenCalledTimes(3);
  });

  it('works with an async fn: the scope lasts until its promise settles, also when it rejects', async () => {
    const memoizer = new Memoizer();
    const fetchUser = vi.fn(async (id: number) => ({ id }));
    const getUser = memoizer.memoize({ name: 'getUser' })(fetchUser);
    const before = await getUser(1);
    const result = await withFreshCache(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const user = await getUser(1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(await getUser(1)).toBe(user);
      return user;
    });
    expect(result).not.toBe(before);
    expect(await getUser(1)).toBe(before);
    await expect(
      withFreshCache(async () => {
        await getUser(2);
        throw new Error('test failed');
      }),
    ).rejects.toThrow('test failed');
    expect(getUser.peek(2)).toBeUndefined();
    expect(() =>
      withFreshCache(() => {
        throw new Error('sync failure');
      }),
    ).toThrow('sync failure');
    expect(freshScopes()).toHaveLength(0);
  });

  it('hides preloaded entries, and a memoizer created inside works in the scope and normally afterwards', async () => {
    const file = await recordDump((memoizer) => memoizer.memoize({ name: 'square' })((x: number) => x * x)(3));
    const preloaded = new Memoizer({ preloadFrom: file });
    const square = vi.fn((x: number) => x * x);
    const fast = preloaded.memoize({ name: 'square' })(square);
    const cacheDir = temporaryDirectory();
    let created: PersistentMemoizer | undefined;
    withFreshCache(() => {
      expect(fast.peek(3)).toBeUndefined();
      created = new PersistentMemoizer({ cacheDir, subDir: 'late' });
      expect(created.stats().disk.directory).not.toBe(created.directory);
      created.memoize({ name: 'late' })((x: number) => x)(1);
    });
    expect(fast(3)).toBe(9);
    expect(square).not.toHaveBeenCalled();
    expect(entryFiles(created!.directory)).toHaveLength(0);
    expect(created!.stats().size).toBe(0);
    created!.memoize({ name: 'late' })((x: number) => x)(1);
    expect(entryFiles(created!.directory)).toHaveLength(1);
  });

  it('keeps what is recorded inside out of the dump: a flush inside writes the entries set aside', () => {
    const cacheDir = temporaryDirectory();
    configure({ cacheDir });
    const memoizer = new Memoizer();
    const fast = memoizer.memoize({ name: 'f' })((x: number) => x + 1);
    fast(1);
    withFreshCache(() => {
      fast(2);
      expect(flushDump().status).toBe('written');
    });
    const dump = JSON.parse(readFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'utf8'));
    expect(Object.values(dump.collections.null).map((entry) => (entry as { params: unknown }).params)).toEqual([
      { args: [1] },
    ]);
  });

  it('does not store results of calls that were in flight when the cache changed', async () => {
    const memoizer = new Memoizer();
    const responses = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const fetchName = memoizer.memoize()((_id: number) => responses[calls++]!.promise);
    const startedOutside = fetchName(1);
    let startedInside: Promise<string> | undefined;
    withFreshCache(() => {
      startedInside = fetchName(1);
      responses[0]!.resolve('outside');
    });
    responses[1]!.resolve('inside');
    await expect(startedOutside).resolves.toBe('outside');
    await expect(startedInside).resolves.toBe('inside');
    expect(fetchName.peek(1)).toBeUndefined();
    expect(calls).toBe(2);
  });

  it('does not let a call started before the scope store into the fresh cache', async () => {
    const memoizer = new Memoizer();
    const response = deferred<string>();
    const fetchName = memoizer.memoize()((_id: number) => response.promise);
    const call = fetchName(1);
    await withFreshCache(async () => {
      response.resolve('from before');
      await call;
      expect(fetchName.peek(1)).toBeUndefined();
    });
    expect(fetchName.peek(1)).toBeUndefined();
  });

  it('refuses something that is not a function', () => {
    expect(() => withFreshCache('nope' as never)).toThrow(TypeError);
  });
});
