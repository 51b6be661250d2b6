import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Memoizer, PersistentMemoizer } from '../../src/index.js';
import { RedisStore } from '../../src/redis/redis-store.js';
import { expectCollectionsApart } from '../helpers/collections.js';
import { adminClient, allKeys, eventually } from './helpers.js';
import { useRedisServer } from './redis-fixture.js';
import { freePort } from './redis-server.js';

// The Redis tier wired into Memoizer, against a real server: one computation for a whole group of processes.
const run = promisify(execFile);
const worker = path.resolve(import.meta.dirname, '../fixtures/redis/memoizer-worker.mjs');
const redis = useRedisServer();

describe('Memoizer with a RedisStore', () => {
  it('computes once for 3 processes × 3 concurrent calls, and every caller gets the same typed result', async () => {
    const counter = `count-${randomUUID()}`;
    const config = { url: redis.server.url, prefix: `memo-${randomUUID()}`, counter, calls: 3, computeMs: 400 };
    const outputs = await Promise.all(
      [0, 1, 2].map(() => run(process.execPath, [worker, JSON.stringify(config)], { timeout: 30_000 })),
    );
    const reports = outputs.map(({ stdout }) => JSON.parse(stdout.trim()));
    expect(Number(await redis.admin.sendCommand(['GET', counter]))).toBe(1);
    for (const report of reports) {
      expect(report.results).toEqual(
        Array(3).fill({ id: 7, when: '2026-01-07T00:00:00.000Z', total: '100000000000000000000' }),
      );
    }
    const remoteHits = reports.reduce((sum, report) => sum + report.stats.hits.remote, 0);
    const misses = reports.reduce((sum, report) => sum + report.stats.misses, 0);
    expect(misses).toBe(1);
    expect(remoteHits).toBe(2);
  }, 60_000);

  it('still returns correct results when no server is reachable', async () => {
    const remote = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeouts: { get: 100, set: 100 } });
    let calls = 0;
    const memoized = new Memoizer({ remote }).memoize({ name: 'offline' })(async (x: number) => {
      calls++;
      return x * 3;
    });
    await expect(memoized(2)).resolves.toBe(6);
    await expect(memoized(2)).resolves.toBe(6);
    expect(calls).toBe(1);
    await remote.close();
  });
});

describe('Memoizer stats with a RedisStore', () => {
  it('has no remote figures without a remote tier, and zeros before the first failure', () => {
    expect(new Memoizer().stats().remote).toBeUndefined();
    const memoizer = new Memoizer({ remote: redis.store({ prefix: `quiet-${randomUUID()}` }) });
    expect(memoizer.stats().remote).toEqual({ errors: 0, timeouts: 0, skipped: 0 });
  });

  it('counts a refused connection as a remote error, while the call returns its value', async () => {
    const remote = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeouts: { get: 100, set: 100 } });
    const memoizer = new Memoizer({ remote });
    const memoized = memoizer.memoize({ name: 'refused' })(async (x: number) => x + 1);
    await expect(memoized(1)).resolves.toBe(2);
    expect(memoizer.stats().remote?.errors).toBeGreaterThan(0);
    expect(memoizer.stats().misses).toBe(1);
    await remote.close();
  });

  it('counts a server too slow to answer as a remote timeout, while the call returns its value', async () => {
    const remote = redis.store({ prefix: `slow-${randomUUID()}`, timeouts: { get: 100, set: 300 } });
    const memoizer = new Memoizer({ remote });
    const memoized = memoizer.memoize({ name: 'slow' })(async (x: number) => x * 2);
    await expect(memoized(1)).resolves.toBe(2);
    expect(memoizer.stats().remote).toEqual({ errors: 0, timeouts: 0, skipped: 0 });
    const sleeper = await adminClient(redis.server.url);
    const sleeping = sleeper.sendCommand(['DEBUG', 'SLEEP', '0.5']);
    // Let the server start sleeping before the call's GET reaches it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(memoized(21)).resolves.toBe(42);
    await sleeping;
    sleeper.destroy();
    const counts = memoizer.stats().remote;
    expect(counts?.timeouts).toBeGreaterThanOrEqual(1);
    expect(counts?.errors).toBeGreaterThanOrEqual(counts?.timeouts ?? 0);
  });
});

describe('collections on one RedisStore', () => {
  it('keeps the same function name in two subKeys apart: each gets its own result', async () => {
    const store = redis.store({ prefix: `collections-${randomUUID()}` });
    const shipping = await expectCollectionsApart(
      ['billing', new Memoizer({ subKey: 'billing', remote: store })],
      ['shipping', new Memoizer({ subKey: 'shipping', remote: store })],
    );
    expect(shipping.stats().hits.remote).toBe(0);
    const values = (await allKeys(redis.admin)).filter(
      (key) => key.startsWith(`${store.prefix}:`) && key.endsWith(':value'),
    );
    expect(values).toHaveLength(2);
  });

  it('keeps two PersistentMemoizers with different subDirs apart', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'memotape-collections-'));
    try {
      const store = redis.store({ prefix: `subdirs-${randomUUID()}` });
      await expectCollectionsApart(
        ['x', new PersistentMemoizer({ subDir: 'x', cacheDir, remote: store })],
        ['y', new PersistentMemoizer({ subDir: 'y', cacheDir, remote: store })],
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('shares one collection between memoizers on separate connections (as in two processes)', async () => {
    const prefix = `shared-${randomUUID()}`;
    // A collection of its own: functions named `load` already live in 'billing' in this process.
    const collection = `billing-${randomUUID()}`;
    let calls = 0;
    const load = async (id: number) => `computed ${id} #${++calls}`;
    const first = new Memoizer({ subKey: collection, remote: redis.store({ prefix }) });
    const second = new Memoizer({ subKey: collection, remote: redis.store({ prefix }) });
    await expect(first.memoize({ name: 'load' })(load)(7)).resolves.toBe('computed 7 #1');
    await expect(second.memoize({ name: 'load' })(load)(7)).resolves.toBe('computed 7 #1');
    expect(calls).toBe(1);
    expect(second.stats().hits.remote).toBe(1);
  });

  it('invalidates one call and a tag across memoizers of one collection, and drops their memory copies', async () => {
    const prefix = `invalidate-${randomUUID()}`;
    // A collection of its own: functions named `load` already live in 'billing' in this process.
    const collection = `billing-${randomUUID()}`;
    let calls = 0;
    const load = async (id: number) => `computed ${id} #${++calls}`;
    const first = new Memoizer({ subKey: collection, remote: redis.store({ prefix }) });
    const second = new Memoizer({ subKey: collection, remote: redis.store({ prefix }) });
    const here = first.memoize({ name: 'load', tags: (_result: string, id: number) => [`id:${id}`] })(load);
    const there = second.memoize({ name: 'load', tags: (_result: string, id: number) => [`id:${id}`] })(load);
    await here(1);
    await expect(there(1)).resolves.toBe('computed 1 #1');
    await eventually(async () => (await listeners(`${prefix}:v2:invalidations`)) === 2);

    await here.invalidate(1);
    await eventually(() => second.stats().invalidations === 1);
    await expect(there(1)).resolves.toBe('computed 1 #2');
    await expect(here(1)).resolves.toBe('computed 1 #2');

    await first.invalidateTags(['id:1']);
    await eventually(() => second.stats().invalidations === 2);
    await expect(there(1)).resolves.toBe('computed 1 #3');
  });
});

async function listeners(channel: string): Promise<number> {
  const reply = (await redis.admin.sendCommand(['PUBSUB', 'NUMSUB', channel])) as [string, number];
  return Number(reply[1]);
}
