import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { Memoizer, withFreshCache } from '../../src/index.js';
import type { RedisStore } from '../../src/redis/redis-store.js';
import { allKeys, eventually } from '../redis/helpers.js';
import { useRedisServer } from '../redis/redis-fixture.js';
import { deferred, manualClock, settle } from './helpers.js';

// Invalidation and refreshes through a real Redis server: what one process invalidates, every process sees.
const run = promisify(execFile);
const worker = path.resolve(import.meta.dirname, '../fixtures/freshness/redis-worker.mjs');
const redis = useRedisServer({ leaseMs: 5000 });

function storeFor(prefix: string): RedisStore {
  return redis.store({ prefix });
}

type Report = { computed: string[]; results: unknown[]; stats: Record<string, number> };

async function inProcess(prefix: string, steps: unknown[][], gate?: string): Promise<Report> {
  const config = JSON.stringify({ url: redis.server.url, prefix, gate, steps });
  const { stdout } = await run(process.execPath, [worker, config], { timeout: 30_000 });
  return JSON.parse(stdout.trim());
}

/** Resolves once an entry value of `prefix` is in Redis (single flight writes it in the background). */
async function stored(prefix: string): Promise<void> {
  await eventually(async () =>
    (await allKeys(redis.admin)).some((key) => key.startsWith(prefix) && key.endsWith(':value')),
  );
}

const everything = [
  ['call', 'getUser', 1],
  ['call', 'getUser', 2],
  ['call', 'getProfile', 1],
  ['call', 'getProfile', 2],
];

describe('invalidation through Redis', () => {
  it('reaches other processes: one call, then every entry of a tag', async () => {
    const prefix = `fresh-${randomUUID()}`;
    expect((await inProcess(prefix, everything)).computed).toHaveLength(4);
    expect((await inProcess(prefix, everything)).computed).toEqual([]);
    await inProcess(prefix, [['invalidate', 'getUser', 1]]);
    expect((await inProcess(prefix, everything)).computed).toEqual(['getUser(1)']);
    const invalidator = await inProcess(prefix, [['invalidateTags', ['user:2']]]);
    expect(invalidator.stats.tagInvalidations).toBe(1);
    const afterTag = await inProcess(prefix, everything);
    expect(afterTag.computed).toEqual(['getUser(2)', 'getProfile(2)']);
    expect(afterTag.stats.staleTags).toBe(2);
    expect((await inProcess(prefix, everything)).computed).toEqual([]);
  }, 60_000);

  it('drops the memory copies a long-lived process holds, through the invalidation channel', async () => {
    const prefix = `copies-${randomUUID()}`;
    let computations = 0;
    const getUser = new Memoizer({ remote: storeFor(prefix) }).memoize({
      name: 'getUser',
      tags: (_user, id: number) => [`user:${id}`],
    })(async (id: number) => ({ id, computation: ++computations }));
    await getUser(1);
    const channel = `${prefix}:v2:invalidations`;
    await eventually(async () => {
      const [, listeners] = (await redis.admin.sendCommand(['PUBSUB', 'NUMSUB', channel])) as unknown as [
        string,
        number,
      ];
      return Number(listeners) === 1;
    });
    await inProcess(prefix, [['invalidateTags', ['user:1']]]);
    await eventually(() => getUser.peek(1) === undefined);
    await expect(getUser(1)).resolves.toEqual({ id: 1, computation: 2 });
    await stored(prefix);
    await inProcess(prefix, [['invalidate', 'getUser', 1]]);
    await eventually(() => getUser.peek(1) === undefined);
    await expect(getUser(1)).resolves.toEqual({ id: 1, computation: 3 });
  }, 60_000);

  it('does not store a result whose tag another process invalidated while it was computed', async () => {
    const prefix = `race-${randomUUID()}`;
    const gate = `gate-${randomUUID()}`;
    const slow = inProcess(prefix, [['call', 'getUser', 5]], gate);
    await eventually(async () => Number(await redis.admin.sendCommand(['GET', `${gate}:started`])) === 1);
    const memoizer = new Memoizer({ remote: storeFor(prefix) });
    await memoizer.invalidateTags(['user:5']);
    await redis.admin.sendCommand(['SET', `${gate}:go`, '1', 'PX', '60000']);
    const report = await slow;
    expect(report.results).toEqual([{ id: 5, name: 'user 5' }]);
    expect(report.stats.staleTags).toBe(1);
    let computations = 0;
    const getUser = new Memoizer({ remote: storeFor(prefix) }).memoize({
      name: 'getUser',
      tags: (_user, id: number) => [`user:${id}`],
    })(async (id: number) => {
      computations++;
      return { id, name: `user ${id}` };
    });
    await getUser(5);
    expect(computations).toBe(1);
  }, 60_000);

  it('writes tag versions under the prefix with a hash tag, and a TTL on every key', async () => {
    const prefix = `layout-${randomUUID()}`;
    await inProcess(prefix, everything);
    await inProcess(prefix, [['invalidateTags', ['org:7']]]);
    const keys = (await allKeys(redis.admin)).filter((key) => key.startsWith(`${prefix}:`));
    const tagKeys = keys.filter((key) => key.includes(':tag:'));
    expect(tagKeys).toHaveLength(3);
    for (const key of tagKeys) expect(key).toMatch(new RegExp(`^${prefix}:v2:tag:\\{[0-9a-f]{32}\\}:version$`));
    for (const key of keys) expect(Number(await redis.admin.sendCommand(['PTTL', key]))).toBeGreaterThan(0);
  }, 60_000);
});

describe('staleWhileRevalidate with Redis', () => {
  it('refreshes once for every memoizer sharing the tier, and the others take the fresh entry', async () => {
    const prefix = `swr-${randomUUID()}`;
    const clock = manualClock(Date.now());
    let version = 0;
    // A real async function: only functions known to return promises wait for the remote tier.
    const fetchPrices = async () => ++version;
    const options = { name: 'prices', ttl: 1000, staleWhileRevalidate: 600_000 };
    const memoizers = [0, 1, 2].map(() => new Memoizer({ remote: storeFor(prefix), clock: clock.now }));
    const prices = memoizers.map((memoizer) => memoizer.memoize(options)(fetchPrices));
    expect(await prices[0]!()).toBe(1);
    await stored(prefix);
    expect(await prices[1]!()).toBe(1);
    expect(await prices[2]!()).toBe(1);
    clock.advance(2000);
    expect(await Promise.all(prices.map((price) => price()))).toEqual([1, 1, 1]);
    await eventually(async () => (await Promise.all(prices.map((price) => price()))).every((value) => value === 2));
    expect(version).toBe(2);
  }, 60_000);

  it('leaves the refresh to the process holding the lease', async () => {
    const prefix = `swr-held-${randomUUID()}`;
    const clock = manualClock(Date.now());
    const responses = [deferred<number>(), deferred<number>()];
    let calls = 0;
    const load = async () => responses[calls++]!.promise;
    const options = { name: 'slowPrices', ttl: 1000, staleWhileRevalidate: 600_000 };
    const first = new Memoizer({ remote: storeFor(prefix), clock: clock.now }).memoize(options)(load);
    const second = new Memoizer({ remote: storeFor(prefix), clock: clock.now }).memoize(options)(load);
    responses[0]!.resolve(1);
    expect(await first()).toBe(1);
    await stored(prefix);
    expect(await second()).toBe(1);
    clock.advance(2000);
    expect(await first()).toBe(1);
    await eventually(() => calls === 2);
    expect(await second()).toBe(1);
    await settle();
    expect(await second()).toBe(1);
    expect(calls).toBe(2);
    responses[1]!.resolve(2);
    await eventually(async () => (await first()) === 2 && (await second()) === 2);
    expect(calls).toBe(2);
  }, 60_000);
});

describe('withFreshCache with Redis', () => {
  it('leaves the remote tier out: nothing is read from or written to it', async () => {
    const prefix = `fresh-scope-${randomUUID()}`;
    const load = vi.fn(async (id: number) => ({ id }));
    const getUser = new Memoizer({ remote: storeFor(prefix) }).memoize({ name: 'getUser' })(load);
    await getUser(1);
    await eventually(async () => (await allKeys(redis.admin)).some((key) => key.startsWith(prefix)));
    const before = (await allKeys(redis.admin)).filter((key) => key.startsWith(prefix));
    await withFreshCache(async () => {
      await getUser(1);
      await getUser(2);
    });
    await settle();
    expect((await allKeys(redis.admin)).filter((key) => key.startsWith(prefix))).toEqual(before);
    expect(load).toHaveBeenCalledTimes(3);
  });
});
