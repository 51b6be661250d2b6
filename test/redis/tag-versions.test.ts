import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { entryKeys, tagVersionKey } from '../../src/redis/keys.js';
import type { RedisStore } from '../../src/redis/redis-store.js';
import type { StoredEntry } from '../../src/stores/store.js';
import { deferred } from '../freshness/helpers.js';
import { entryOf, eventually, hexKey } from './helpers.js';
import { useRedisServer } from './redis-fixture.js';
import { freePort } from './redis-server.js';

// Tag versions of the Redis tier against a real server: two stores stand for two processes.
const redis = useRedisServer({ timeouts: { get: 500, set: 1000 } });

afterEach(() => {
  vi.restoreAllMocks();
  resetWarningsForTests();
});

function store(prefix: string, options: { url?: string } = {}): RedisStore {
  return redis.store({ prefix, ...options });
}

const tagged = (tags: string[], result: StoredEntry['result'] = 1): StoredEntry => entryOf(result, { tags });

function request(value: number, tags: string[] = ['t']) {
  return {
    run: async () => value,
    encode: (computed: number) => tagged(tags, computed),
    decode: (entry: StoredEntry) => entry.result as number,
  };
}

describe('tag versions', () => {
  it('are stored with a tagged entry, and its tag keys live at least as long as the entry', async () => {
    const prefix = `tv-${randomUUID()}`;
    const key = hexKey();
    const entry = tagged(['user:1', 'org:7']);
    await store(prefix).set(key, entry);
    const text = String(await redis.admin.sendCommand(['GET', entryKeys(prefix, key).value]));
    expect(JSON.parse(text.slice(text.indexOf('\n') + 1))).toMatchObject({
      tags: ['user:1', 'org:7'],
      tagVersions: ['0', '0'],
    });
    const entryTtl = Number(await redis.admin.sendCommand(['PTTL', entryKeys(prefix, key).value]));
    const tagTtl = Number(await redis.admin.sendCommand(['PTTL', tagVersionKey(prefix, 'user:1')]));
    expect(tagTtl).toBeGreaterThan(entryTtl);
    expect(await store(prefix).get(key)).toEqual(entry);
  });

  it('make an entry a miss for every store once one of its tags is invalidated, and remove it', async () => {
    const prefix = `tv-${randomUUID()}`;
    const [writer, reader] = [store(prefix), store(prefix)];
    const [userKey, otherKey] = [hexKey(), hexKey()];
    await writer.set(userKey, tagged(['user:1']));
    await writer.set(otherKey, tagged(['user:2']));
    await writer.invalidateTags(['user:1']);
    expect(await reader.get(userKey)).toBeUndefined();
    expect(await reader.get(otherKey)).toBeDefined();
    expect(reader.stats()).toMatchObject({ staleTags: 1, hits: 1, misses: 1 });
    expect(writer.stats().tagInvalidations).toBe(1);
    await eventually(
      async () => Number(await redis.admin.sendCommand(['EXISTS', entryKeys(prefix, userKey).value])) === 0,
    );
    await writer.set(userKey, tagged(['user:1']));
    expect(await reader.get(userKey)).toBeDefined();
  });

  it('treat a missing tag key as changed (evicted or cleared): the entry is a miss', async () => {
    const prefix = `tv-${randomUUID()}`;
    const key = hexKey();
    await store(prefix).set(key, tagged(['gone']));
    await redis.admin.sendCommand(['DEL', tagVersionKey(prefix, 'gone')]);
    expect(await store(prefix).get(key)).toBeUndefined();
  });

  it('keep a computation from storing when one of its tags is invalidated while it runs', async () => {
    const prefix = `tv-${randomUUID()}`;
    const [computing, invalidating] = [store(prefix), store(prefix)];
    const key = hexKey();
    const gate = deferred<number>();
    const flight = computing.singleFlight(key, { ...request(0, ['user:9']), run: () => gate.promise });
    await eventually(async () => Number(await redis.admin.sendCommand(['EXISTS', entryKeys(prefix, key).lease])) === 1);
    await invalidating.invalidateTags(['user:9']);
    gate.resolve(42);
    await expect(flight).resolves.toMatchObject({ value: 42, source: 'computed' });
    await eventually(async () => Number(await redis.admin.sendCommand(['EXISTS', entryKeys(prefix, key).lease])) === 0);
    expect(Number(await redis.admin.sendCommand(['EXISTS', entryKeys(prefix, key).value]))).toBe(0);
    expect(computing.stats().staleTags).toBe(1);
    const again = await invalidating.singleFlight(key, request(43, ['user:9']));
    expect(again).toMatchObject({ value: 43, source: 'computed' });
  });

  it('send a single-flight hit on a stale entry back through single flight, which computes once', async () => {
    const prefix = `tv-${randomUUID()}`;
    const key = hexKey();
    const [first, second] = [store(prefix), store(prefix)];
    await first.singleFlight(key, request(1));
    await eventually(async () => Number(await redis.admin.sendCommand(['EXISTS', entryKeys(prefix, key).value])) === 1);
    await first.invalidateTags(['t']);
    const results = await Promise.all([first.singleFlight(key, request(2)), second.singleFlight(key, request(3))]);
    const values = results.map((result) => result.value);
    expect(new Set(values).size).toBe(1);
    expect(results.filter((result) => result.source === 'computed')).toHaveLength(1);
  });

  it('refuse tags that are not strings, and never reject when Redis is down (one warning)', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await expect(store('x').invalidateTags([''] as never)).rejects.toThrow(TypeError);
    const offline = store('offline', { url: `redis://127.0.0.1:${await freePort()}` });
    await expect(offline.invalidateTags(['user:1'])).resolves.toBeUndefined();
    expect(warnings.mock.calls.map(([, options]) => (options as { code: string }).code)).toContain(
      'MEMOTAPE_REDIS_INVALIDATION_FAILED',
    );
  });
});

describe('refresh', () => {
  it('computes under the lease when the entry is stale, and stores the new value', async () => {
    const prefix = `rf-${randomUUID()}`;
    const key = hexKey();
    const remote = store(prefix);
    await remote.set(key, entryOf(1, { staleAt: Date.now() - 1 }));
    const refreshed = await remote.refresh(key, {
      run: async () => 2,
      encode: (value: number) => entryOf(value),
      decode: (entry: StoredEntry) => entry.result as number,
    });
    expect(refreshed).toMatchObject({ value: 2, source: 'computed' });
    await eventually(async () => (await remote.get(key))?.result === 2);
  });

  it('takes an entry that is fresh already instead of computing', async () => {
    const prefix = `rf-${randomUUID()}`;
    const key = hexKey();
    const remote = store(prefix);
    await remote.set(key, entryOf(7, { staleAt: Date.now() + 60_000 }));
    const run = vi.fn(async () => 8);
    const refreshed = await remote.refresh(key, {
      run,
      encode: (value: number) => entryOf(value),
      decode: (entry: StoredEntry) => entry.result as number,
    });
    expect(refreshed).toMatchObject({ value: 7, source: 'hit' });
    expect(run).not.toHaveBeenCalled();
    expect(Number(await redis.admin.sendCommand(['EXISTS', entryKeys(prefix, key).lease]))).toBe(0);
  });

  it('answers undefined, computing nothing, while another process holds the lease', async () => {
    const prefix = `rf-${randomUUID()}`;
    const key = hexKey();
    await redis.admin.sendCommand(['SET', entryKeys(prefix, key).lease, 'someone-else', 'PX', '60000']);
    const run = vi.fn(async () => 1);
    const refreshed = await store(prefix).refresh(key, {
      run,
      encode: (value: number) => entryOf(value),
      decode: (entry: StoredEntry) => entry.result as number,
    });
    expect(refreshed).toBeUndefined();
    expect(run).not.toHaveBeenCalled();
  });
});
