import { describe, expect, it } from 'vitest';
import { decodeTagged, encodeTagged } from '../../src/codec.js';
import { encodeEnvelope } from '../../src/redis/envelope.js';
import { entryKeys } from '../../src/redis/keys.js';
import { RedisStore } from '../../src/redis/redis-store.js';
import { adminClient, allKeys, entryOf, hexKey } from './helpers.js';
import { useRedisServer } from './redis-fixture.js';

const redis = useRedisServer();
const store = redis.store;

describe('RedisStore get and set', () => {
  it('round-trips every tagged type', async () => {
    const remote = store({ prefix: 'roundtrip' });
    const sparse: unknown[] = [1];
    sparse[3] = 4;
    const value = {
      undefined: undefined,
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5],
      bigint: -12345678901234567890n,
      dates: [new Date(0), new Date(Number.NaN)],
      regexp: /a+b/giu,
      map: new Map<unknown, unknown>([
        [1, 'one'],
        [{ nested: true }, new Set([1n])],
      ]),
      set: new Set(['a', 2]),
      buffer: Buffer.from('bytes'),
      typed: [new Float64Array([1.5, -2]), new BigInt64Array([3n]), new Uint8ClampedArray([255])],
      arrayBuffer: new Uint8Array([1, 2, 3]).buffer,
      dataView: new DataView(new Uint8Array([9, 8]).buffer),
      sparse,
      error: new RangeError('out of range', { cause: new Error('inner') }),
      escaped: { $mt: 'not a tag', v: 1 },
      text: 'ünïcødé ✓',
    };
    const key = hexKey();
    await remote.set(key, entryOf(encodeTagged(value), { namespace: 'roundTrip', tags: ['a'] }));
    const entry = await remote.get(key);
    expect(entry?.namespace).toBe('roundTrip');
    expect(entry?.tags).toEqual(['a']);
    const decoded = decodeTagged(entry?.result) as typeof value;
    expect(decoded).toEqual(value);
    expect(Object.is(decoded.numbers[3], -0)).toBe(true);
    expect(decoded.error).toBeInstanceOf(RangeError);
    expect(2 in decoded.sparse).toBe(false);
    expect(remote.stats()).toMatchObject({ hits: 1, misses: 0, writes: 1, errors: 0 });
  });

  it('answers a miss for a key never written', async () => {
    const remote = store({ prefix: 'misses' });
    expect(await remote.get(hexKey())).toBeUndefined();
    expect(remote.stats()).toMatchObject({ hits: 0, misses: 1 });
  });

  it('lays keys out as <prefix>:v2:{<key>}:<kind> and gives every key it writes a TTL', async () => {
    const remote = store({ prefix: 'layout' });
    const [written, computed] = [hexKey(), hexKey()];
    await remote.set(written, entryOf(1));
    let leaseTtl = 0;
    await remote.singleFlight(computed, {
      run: async () => {
        leaseTtl = Number(await redis.admin.sendCommand(['PTTL', `layout:v2:{${computed}}:lease`]));
        return 2;
      },
      encode: (value) => entryOf(value),
      decode: (entry) => entry.result as number,
    });
    await remote.close();
    expect(leaseTtl).toBeGreaterThan(0);
    const keys = (await allKeys(redis.admin)).filter((key) => key.startsWith('layout:'));
    expect(keys).toEqual([`layout:v2:{${written}}:value`, `layout:v2:{${computed}}:value`].sort());
    for (const key of keys) expect(Number(await redis.admin.sendCommand(['PTTL', key]))).toBeGreaterThan(0);
  });

  it('stores an entry until its expiresAt, and does not write one that has expired', async () => {
    const remote = store({ prefix: 'ttl', defaultTtl: 60_000 });
    const [expiring, expired, lasting] = [hexKey(), hexKey(), hexKey()];
    await remote.set(expiring, entryOf(1, { expiresAt: Date.now() + 5000 }));
    await remote.set(expired, entryOf(1, { expiresAt: Date.now() - 1 }));
    await remote.set(lasting, entryOf(1));
    const ttlOf = async (key: string) => Number(await redis.admin.sendCommand(['PTTL', entryKeys('ttl', key).value]));
    expect(await ttlOf(expiring)).toBeGreaterThan(4000);
    expect(await ttlOf(expiring)).toBeLessThanOrEqual(5000);
    expect(await ttlOf(expired)).toBe(-2);
    expect(await ttlOf(lasting)).toBeGreaterThan(59_000);
  });

  it('reads a value under the wrong key, of an unknown envelope version, damaged or expired as a miss', async () => {
    const remote = store({ prefix: 'damaged' });
    const [wrongKey, otherKey, unknownVersion, damaged, badShape, expired] = [
      hexKey(),
      hexKey(),
      hexKey(),
      hexKey(),
      hexKey(),
      hexKey(),
    ];
    const valueKey = (key: string) => entryKeys('damaged', key).value;
    await redis.admin.sendCommand(['SET', valueKey(wrongKey), encodeEnvelope(otherKey, entryOf(1))]);
    await redis.admin.sendCommand([
      'SET',
      valueKey(unknownVersion),
      encodeEnvelope(unknownVersion, entryOf(1)).replace('memotape/1 ', 'memotape/2 '),
    ]);
    await redis.admin.sendCommand(['SET', valueKey(damaged), `memotape/1 ${damaged}\n{"namespace":`]);
    await redis.admin.sendCommand(['SET', valueKey(badShape), `memotape/1 ${badShape}\n{"namespace":1}`]);
    await redis.admin.sendCommand([
      'SET',
      valueKey(expired),
      encodeEnvelope(expired, entryOf(1, { expiresAt: Date.now() - 1000 })),
    ]);
    for (const key of [wrongKey, unknownVersion, damaged, badShape, expired]) {
      expect(await remote.get(key)).toBeUndefined();
    }
    expect(remote.stats()).toMatchObject({ hits: 0, misses: 5, errors: 0 });
  });

  it('keeps values larger than maxValueBytes out of Redis and counts them', async () => {
    const remote = store({ prefix: 'oversized', maxValueBytes: 1000 });
    const [small, large, wide] = [hexKey(), hexKey(), hexKey()];
    await remote.set(small, entryOf('x'.repeat(100)));
    await remote.set(large, entryOf('x'.repeat(2000)));
    // 400 three-byte characters: short as a string, too large in UTF-8.
    await remote.set(wide, entryOf('€'.repeat(400)));
    expect(await remote.get(small)).toBeDefined();
    expect(await remote.get(large)).toBeUndefined();
    expect(await remote.get(wide)).toBeUndefined();
    expect(remote.stats()).toMatchObject({ oversized: 2, writes: 1 });
  });

  it('deletes one value and answers whether there was one', async () => {
    const remote = store({ prefix: 'delete' });
    const key = hexKey();
    await remote.set(key, entryOf(1));
    expect(await remote.delete(key)).toBe(true);
    expect(await remote.delete(key)).toBe(false);
    expect(await remote.get(key)).toBeUndefined();
  });

  it('rejects keys that are not 32-hex persisted keys', async () => {
    const remote = store({ prefix: 'keys' });
    await expect(remote.get('not-a-key')).rejects.toThrow(TypeError);
    await expect(remote.set('ABC', entryOf(1))).rejects.toThrow(/`key`/);
  });

  it('close() waits for writes still pending', async () => {
    const remote = new RedisStore({ url: redis.server.url, prefix: 'pending' });
    const key = hexKey();
    void remote.set(key, entryOf('late'));
    await remote.close();
    expect(await redis.admin.sendCommand(['EXISTS', entryKeys('pending', key).value])).toBe(1);
  });
});

describe('RedisStore with a client of its own', () => {
  it('uses the client as it is and never closes it', async () => {
    const client = await adminClient(redis.server.url);
    const remote = new RedisStore({ client, prefix: 'given' });
    const key = hexKey();
    await remote.set(key, entryOf(1));
    const waited = remote.singleFlight(hexKey(), {
      run: () => 2,
      encode: (value) => entryOf(value),
      decode: (entry) => entry.result as number,
    });
    expect((await waited).value).toBe(2);
    await remote.close();
    expect(client.isOpen).toBe(true);
    expect(await client.sendCommand(['EXISTS', entryKeys('given', key).value])).toBe(1);
    client.destroy();
  });
});

describe('clear()', () => {
  it('removes only its own prefix, with SCAN and UNLINK, as an ACL user limited to that prefix', async () => {
    await redis.admin.sendCommand([
      'ACL',
      'SETUSER',
      'memo',
      'on',
      '>memo-secret',
      '~scoped:*',
      '&scoped:*',
      '+@all',
      '-@dangerous',
      '-keys',
      '-flushdb',
      '-flushall',
    ]);
    const url = redis.server.url.replace('redis://', 'redis://memo:memo-secret@');
    const scoped = store({ url, prefix: 'scoped' });
    const keys = Array.from({ length: 1200 }, hexKey);
    await Promise.all(keys.map((key) => scoped.set(key, entryOf(1))));
    // Single flight (scripts, leases, pub/sub) works under the same user.
    const flown = await scoped.singleFlight(hexKey(), {
      run: () => 3,
      encode: (value) => entryOf(value),
      decode: (entry) => entry.result as number,
    });
    expect(flown.source).toBe('computed');
    const longerPrefix = entryKeys('scoped:x', hexKey()).value;
    await redis.admin.sendCommand(['SET', longerPrefix, '1']);
    await redis.admin.sendCommand(['SET', 'unrelated', '1']);
    await redis.admin.sendCommand(['SET', entryKeys('other', hexKey()).value, '1']);
    expect(scoped.stats().errors).toBe(0);

    await scoped.clear();

    const remaining = await allKeys(redis.admin);
    expect(remaining.filter((key) => key.startsWith('scoped:v'))).toEqual([]);
    expect(remaining).toContain(longerPrefix);
    expect(remaining).toContain('unrelated');
    expect(remaining.some((key) => key.startsWith('other:'))).toBe(true);
  });
});

describe('RedisStore options', () => {
  it.each([
    [{}, /exactly one of `url` and `client`/],
    [{ url: 'redis://a', client: {} }, /exactly one of `url` and `client`/],
    [{ url: 'http://localhost' }, /`url`/],
    [{ client: { get: () => 1 } }, /`client`/],
    [{ url: 'redis://a', prefix: '' }, /`prefix`/],
    [{ url: 'redis://a', prefix: 'a{b}' }, /`prefix`/],
    [{ url: 'redis://a', prefix: 'a*' }, /`prefix`/],
    [{ url: 'redis://a', defaultTtl: 0 }, /`defaultTtl`/],
    [{ url: 'redis://a', maxValueBytes: 1.5 }, /`maxValueBytes`/],
    [{ url: 'redis://a', timeouts: { get: -1 } }, /`timeouts.get`/],
    [{ url: 'redis://a', timeouts: { set: '1' } }, /`timeouts.set`/],
    [{ url: 'redis://a', timeouts: { read: 1 } }, /`timeouts.read`/],
    [{ url: 'redis://a', timeouts: 5 }, /`timeouts`/],
    [{ url: 'redis://a', singleFlight: 'yes' }, /`singleFlight`/],
    [{ url: 'redis://a', leaseMs: 10 }, /`leaseMs`/],
    [{ url: 'redis://a', waitTimeout: -1 }, /`waitTimeout`/],
    [{ url: 'redis://a', circuitBreaker: { failureThreshold: 0 } }, /`circuitBreaker.failureThreshold`/],
    [{ url: 'redis://a', circuitBreaker: { cooldown: Number.NaN } }, /`circuitBreaker.cooldown`/],
    [{ url: 'redis://a', ttl: 1 }, /Unknown option `ttl`/],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    expect(() => new RedisStore(options as never)).toThrow(TypeError);
    expect(() => new RedisStore(options as never)).toThrow(message);
  });

  it('never shows the password of a URL node-redis rejects', () => {
    let error: unknown;
    try {
      new RedisStore({ url: 'redis://user:hunter2-secret@[bad-host' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).message)).not.toContain('hunter2-secret');
  });
});
