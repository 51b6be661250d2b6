import { describe, expect, it } from 'vitest';
import { Memoizer, PersistentMemoizer } from '../../src/index.js';
import { deferred, removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

/** Keeps the CPU busy for at least `ms` milliseconds (a lower bound is all the tests rely on). */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('stats() per function', () => {
  it('counts hits and misses per function name, with the hit rate, for the memoizer and each function', () => {
    const memoizer = new Memoizer();
    const getUser = memoizer.memoize({ name: 'getUser' })((id: number) => ({ id }));
    const getOrg = memoizer.memoize({ name: 'getOrg' })((id: number) => ({ id }));
    getUser(1);
    getUser(1);
    getUser(1);
    getUser(2);
    getOrg(1);
    const stats = memoizer.stats();
    expect(stats.functions).toEqual({
      getUser: { hits: 2, misses: 2, hitRate: 0.5, meanMissMs: expect.any(Number) },
      getOrg: { hits: 0, misses: 1, hitRate: 0, meanMissMs: expect.any(Number) },
    });
    expect(stats.hits.memory).toBe(2);
    expect(stats.hitRate).toBe(2 / 5);
  });

  it('measures the mean time of a miss, for a promise until it settles, leaving failed calls out', async () => {
    const memoizer = new Memoizer();
    const slow = memoizer.memoize({ name: 'slow' })((n: number) => {
      busyFor(5);
      return n;
    });
    slow(1);
    slow(2);
    slow(1);
    expect(memoizer.stats().functions.slow!.meanMissMs).toBeGreaterThanOrEqual(5);
    const response = deferred<number>();
    const later = memoizer.memoize({ name: 'later' })(async (n: number) => {
      if (n < 0) throw new Error('negative');
      return response.promise;
    });
    const call = later(1);
    setTimeout(() => response.resolve(1), 20);
    await call;
    await expect(later(-1)).rejects.toThrow('negative');
    expect(memoizer.stats().functions.later).toMatchObject({ misses: 2, hits: 0 });
    expect(memoizer.stats().functions.later!.meanMissMs).toBeGreaterThanOrEqual(15);
  });

  it('counts hits from disk for the function, and reports zeros before any call', () => {
    const cacheDir = temporaryDirectory();
    try {
      new PersistentMemoizer({ cacheDir }).memoize({ name: 'f' })((x: number) => x)(1);
      const reader = new PersistentMemoizer({ cacheDir });
      expect(reader.stats()).toMatchObject({ hitRate: 0, meanMissMs: 0, functions: {} });
      const f = reader.memoize({ name: 'f' })((x: number) => x);
      f(1);
      f(1);
      expect(reader.stats().functions.f).toMatchObject({ hits: 2, misses: 0, hitRate: 1 });
      expect(reader.stats().hits).toMatchObject({ disk: 1, memory: 1 });
    } finally {
      removeTemporaryDirectories();
    }
  });
});
