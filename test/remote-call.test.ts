import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CacheMissError, Memoizer, NamespaceError, PersistentMemoizer } from '../src/index.js';
import type { RemoteSource, RemoteStore, StoredEntry } from '../src/stores/store.js';
import { captureWarnings } from './helpers/warnings.js';

/** Counts calls of an `async` function (vi.fn would hide that it is async, which decides the remote path). */
function counted<A extends unknown[], R>(body: (...args: A) => Promise<R>) {
  const calls = { count: 0 };
  const fn = async (...args: A): Promise<R> => {
    calls.count++;
    return body(...args);
  };
  return Object.assign(fn, { calls });
}

/** An in-memory stand-in for a shared remote tier: one Map plays the server every memoizer talks to. */
class FakeRemote implements RemoteStore {
  readonly entries = new Map<string, StoredEntry>();
  readonly defaultTtl: number | undefined;
  flights = 0;
  sets = 0;

  constructor(defaultTtl?: number) {
    this.defaultTtl = defaultTtl;
  }

  async get(key: string) {
    return this.entries.get(key);
  }
  async set(key: string, entry: StoredEntry) {
    this.sets++;
    this.entries.set(key, entry);
  }
  async delete(key: string) {
    return this.entries.delete(key);
  }
  async clear() {
    this.entries.clear();
  }
  async singleFlight<T>(
    key: string,
    request: { run: () => T | PromiseLike<T>; encode: (value: T) => StoredEntry; decode: (entry: StoredEntry) => T },
  ): Promise<{ value: T; source: RemoteSource; entry: StoredEntry | undefined }> {
    this.flights++;
    const stored = this.entries.get(key);
    if (stored !== undefined) return { value: request.decode(stored), source: 'hit', entry: stored };
    const value = await request.run();
    const entry = request.encode(value);
    this.entries.set(key, entry);
    return { value, source: 'computed', entry };
  }
}

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe('a memoizer with a remote tier', () => {
  it('computes once, stores remotely, and another memoizer (another process) hits the remote entry', async () => {
    const remote = new FakeRemote();
    const load = counted(async (id: number) => ({ id, at: new Date(0) }));
    const first = new Memoizer({ remote }).memoize({ name: 'load' })(load);
    await expect(first(1)).resolves.toEqual({ id: 1, at: new Date(0) });
    await expect(first(1)).resolves.toEqual({ id: 1, at: new Date(0) });
    expect(load.calls.count).toBe(1);
    expect(remote.flights).toBe(1);

    const otherProcess = new Memoizer({ remote });
    const second = otherProcess.memoize({ name: 'load' })(load);
    const value = await second(1);
    expect(value).toEqual({ id: 1, at: new Date(0) });
    expect(value.at).toBeInstanceOf(Date);
    expect(load.calls.count).toBe(1);
    expect(otherProcess.stats().hits.remote).toBe(1);
    await second(1);
    expect(otherProcess.stats().hits.memory).toBe(1);
  });

  it('shares one in-flight call in this process before asking the remote tier', async () => {
    const remote = new FakeRemote();
    const load = counted(async (id: number) => id * 2);
    const memoized = new Memoizer({ remote }).memoize({ name: 'double' })(load);
    const [a, b] = [memoized(4), memoized(4)];
    expect(b).toBe(a);
    await expect(a).resolves.toBe(8);
    expect(remote.flights).toBe(1);
  });

  it('learns that a non-async function returns promises, and uses the remote tier from then on', async () => {
    const remote = new FakeRemote();
    const viaThen = new Memoizer({ remote }).memoize({ name: 'viaThen' })((x: number) => Promise.resolve(x));
    await viaThen(1);
    expect(remote.flights).toBe(0);
    await vi.waitFor(() => expect(remote.sets).toBe(1));
    await viaThen(2);
    expect(remote.flights).toBe(1);
  });

  it('never sends synchronous functions to the remote tier', () => {
    const remote = new FakeRemote();
    const square = new Memoizer({ remote }).memoize({ name: 'square' })((x: number) => x * x);
    expect(square(3)).toBe(9);
    expect(square(3)).toBe(9);
    expect(remote.flights).toBe(0);
    expect(remote.sets).toBe(0);
  });

  it('lets a rejection reach the caller, stores nothing, and retries on the next call', async () => {
    const remote = new FakeRemote();
    let calls = 0;
    const flaky = new Memoizer({ remote }).memoize({ name: 'flaky' })(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
      return 'up';
    });
    await expect(flaky()).rejects.toThrow('down');
    expect(remote.entries.size).toBe(0);
    await expect(flaky()).resolves.toBe('up');
  });

  it('writes recorded async results to the remote tier, and replay reads them in another memoizer', async () => {
    const remote = new FakeRemote();
    const fetchUser = async (id: number) => ({ id });
    await new Memoizer({ remote }).record({ name: 'fetchUser' })(fetchUser)(5);
    await vi.waitFor(() => expect(remote.sets).toBe(1));
    const replayed = new Memoizer({ remote }).replay({ name: 'fetchUser' })(fetchUser);
    await expect(replayed(5)).resolves.toEqual({ id: 5 });
    await expect(replayed(6)).rejects.toBeInstanceOf(CacheMissError);
  });

  it('fills the disk tier of a PersistentMemoizer from a remote hit', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'memotape-remote-'));
    directories.push(cacheDir);
    const remote = new FakeRemote();
    const compute = counted(async (x: number) => x + 1);
    await new PersistentMemoizer({ cacheDir: path.join(cacheDir, 'a'), remote }).memoize({ name: 'inc' })(compute)(1);
    const machineB = new PersistentMemoizer({ cacheDir: path.join(cacheDir, 'b'), remote });
    await expect(machineB.memoize({ name: 'inc' })(compute)(1)).resolves.toBe(2);
    expect(machineB.stats().hits.remote).toBe(1);
    const restartedB = new PersistentMemoizer({ cacheDir: path.join(cacheDir, 'b') });
    await expect(restartedB.replay({ name: 'inc' })(compute)(1)).resolves.toBe(2);
    expect(restartedB.stats().hits.disk).toBe(1);
    expect(compute.calls.count).toBe(1);
  });

  it('keeps a local copy no longer than the remote entry lives', async () => {
    let now = 1_000;
    const remote = new FakeRemote(60_000);
    const compute = counted(async (x: number) => x);
    await new Memoizer({ remote, clock: () => now }).memoize({ name: 'id' })(compute)(1);
    const local = new Memoizer({ remote, clock: () => now });
    const memoized = local.memoize({ name: 'id' })(compute);
    await memoized(1);
    expect(local.stats().hits.remote).toBe(1);
    now += 60_001;
    remote.entries.clear();
    await memoized(1);
    expect(compute.calls.count).toBe(2);
  });

  it('reports the remote store’s failure counts in stats().remote, when the store keeps them', async () => {
    expect(new Memoizer({ remote: new FakeRemote() }).stats().remote).toBeUndefined();
    const remote = Object.assign(new FakeRemote(), { stats: () => ({ errors: 3, timeouts: 2, hits: 9 }) });
    expect(new Memoizer({ remote }).stats().remote).toEqual({ errors: 3, timeouts: 2, skipped: 0 });
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'memotape-remote-'));
    directories.push(cacheDir);
    expect(new PersistentMemoizer({ cacheDir, remote }).stats().remote).toEqual({ errors: 3, timeouts: 2, skipped: 0 });
  });

  it('requires a stable name, and rejects a remote option without the store methods', () => {
    const memoizer = new Memoizer({ remote: new FakeRemote() });
    expect(() => memoizer.memoize()(async () => 1)).toThrow(NamespaceError);
    expect(() => new Memoizer({ remote: {} as RemoteStore })).toThrow(/`remote`/);
  });
});

/** A remote tier whose writes all fail, and which has no `refresh`: a refresh computes here and writes through. */
class RefusingRemote extends FakeRemote {
  override async set(_key: string, _entry: StoredEntry): Promise<void> {
    this.sets++;
    throw new Error('remote write refused');
  }
}

describe('a staleWhileRevalidate refresh on a remote store without `refresh`', () => {
  const warnings = captureWarnings();

  it('counts a failed remote write in stats().errors with one warning, and callers still get their values', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      let now = 0;
      const remote = new RefusingRemote();
      expect('refresh' in remote).toBe(false);
      const memoizer = new Memoizer({ remote, clock: () => now });
      let version = 0;
      const load = counted(async () => `v${++version}`);
      const rates = memoizer.memoize({ name: 'rates', ttl: 1000, staleWhileRevalidate: 10_000 })(load);
      // The first call goes through the single flight, which stores without `set`.
      await expect(rates()).resolves.toBe('v1');
      expect(remote.sets).toBe(0);
      now += 2000;
      await expect(rates()).resolves.toBe('v1');
      await vi.waitFor(() => expect(memoizer.stats().errors).toBe(1));
      expect(remote.sets).toBe(1);
      expect(load.calls.count).toBe(2);
      // The refresh itself succeeded: its result is kept here, only the remote copy is missing.
      expect(memoizer.stats()).toMatchObject({ refreshes: 1, refreshFailures: 0, errors: 1 });
      await expect(rates()).resolves.toBe('v2');
      expect(warnings.codes()).toEqual([
        'MEMOTAPE_TIER_FAILED: the remote tier failed; results stay in memory: remote write refused',
      ]);
      // An unhandled rejection is reported after the microtasks of its turn: give it one macrotask to show up.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
