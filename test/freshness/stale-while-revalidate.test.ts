import { afterEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { resetSettingsForTests } from '../../src/config.js';
import { Memoizer, PersistentMemoizer } from '../../src/index.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { deferred, manualClock, removeTemporaryDirectories, settle, temporaryDirectory } from './helpers.js';

let warnings: MockInstance<typeof process.emitWarning>;

afterEach(() => {
  vi.restoreAllMocks();
  resetSettingsForTests();
  resetWarningsForTests();
  removeTemporaryDirectories();
});

function quietWarnings(): void {
  warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
}

describe('staleWhileRevalidate', () => {
  it('returns the stale result at once after the TTL, and runs one refresh for many stale callers', async () => {
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now });
    let version = 0;
    const fetchPrices = vi.fn(() => ++version);
    const prices = memoizer.memoize({ name: 'prices', ttl: 60_000, staleWhileRevalidate: 300_000 })(fetchPrices);
    expect(prices()).toBe(1);
    clock.advance(60_000);
    expect([prices(), prices(), prices()]).toEqual([1, 1, 1]);
    expect(fetchPrices).toHaveBeenCalledTimes(1);
    await settle();
    expect(fetchPrices).toHaveBeenCalledTimes(2);
    expect(prices()).toBe(2);
    expect(memoizer.stats()).toMatchObject({ refreshes: 1, refreshFailures: 0 });
    expect(memoizer.stats().functions.prices).toMatchObject({ hits: 4, misses: 1 });
  });

  it('shares one refresh of an async function, and callers keep the stale value until it settles', async () => {
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now });
    const responses = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const fetchRate = memoizer.memoize({ ttl: 1000, staleWhileRevalidate: 5000 })(
      async (_currency: string) => responses[calls++]!.promise,
    );
    const first = fetchRate('EUR');
    responses[0]!.resolve('1.10');
    await expect(first).resolves.toBe('1.10');
    clock.advance(1500);
    await expect(fetchRate('EUR')).resolves.toBe('1.10');
    await settle();
    await expect(fetchRate('EUR')).resolves.toBe('1.10');
    expect(calls).toBe(2);
    responses[1]!.resolve('1.12');
    await settle();
    await expect(fetchRate('EUR')).resolves.toBe('1.12');
    expect(calls).toBe(2);
  });

  it('keeps the stale value when the refresh fails, counts it, and does not retry until the window ends', async () => {
    quietWarnings();
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now });
    let failing = false;
    const load = vi.fn(async () => {
      if (failing) throw new Error('backend down');
      return 'fresh';
    });
    const cached = memoizer.memoize({ name: 'cached', ttl: 100, staleWhileRevalidate: 1000 })(load);
    await cached();
    failing = true;
    clock.advance(200);
    await expect(cached()).resolves.toBe('fresh');
    await settle();
    await expect(cached()).resolves.toBe('fresh');
    await settle();
    expect(load).toHaveBeenCalledTimes(2);
    expect(memoizer.stats()).toMatchObject({ refreshes: 1, refreshFailures: 1 });
    expect(warnings.mock.calls[0]?.[1]).toMatchObject({ code: 'MEMOTAPE_REFRESH_FAILED' });
    clock.advance(1000);
    await expect(cached()).rejects.toThrow('backend down');
  });

  it('treats an entry past the window as a miss, and replay returns a stale entry without refreshing', () => {
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now });
    const compute = vi.fn((x: number) => x * clock.now());
    const fast = memoizer.memoize({ name: 'f', ttl: 10, staleWhileRevalidate: 10 })(compute);
    const replayed = memoizer.replay({ name: 'f' })(compute);
    const first = fast(1);
    clock.advance(15);
    expect(replayed(1)).toBe(first);
    expect(compute).toHaveBeenCalledTimes(1);
    clock.advance(5);
    expect(fast(1)).not.toBe(first);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('keeps its fresh period on disk, so another memoizer refreshes a stale disk entry too', async () => {
    const clock = manualClock();
    const cacheDir = temporaryDirectory();
    const options = { cacheDir, subDir: 'swr', clock: clock.now };
    let version = 0;
    const load = vi.fn((_key: string) => ++version);
    new PersistentMemoizer(options).memoize({ name: 'load', ttl: 100, staleWhileRevalidate: 1000 })(load)('k');
    clock.advance(150);
    const reader = new PersistentMemoizer(options).memoize({ name: 'load', ttl: 100, staleWhileRevalidate: 1000 })(
      load,
    );
    expect(reader('k')).toBe(1);
    await settle();
    expect(reader('k')).toBe(2);
  });
});
