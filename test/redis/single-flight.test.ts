import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/redis/client.js';
import { encodeEnvelope } from '../../src/redis/envelope.js';
import { entryKeys } from '../../src/redis/keys.js';
import { RedisStore } from '../../src/redis/redis-store.js';
import type { SingleFlightRequest } from '../../src/redis/single-flight.js';
import { adminClient, entryOf, eventually, failOnUnhandledRejections, hexKey } from './helpers.js';
import { type RedisServer, startRedisServer } from './redis-server.js';
import { startWorker, type WorkerConfig } from './worker.js';

let server: RedisServer;
let admin: RedisClient;
const stores: RedisStore[] = [];

function store(options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): RedisStore {
  const created = new RedisStore({ url: server.url, prefix: 'flight', ...options });
  stores.push(created);
  return created;
}

function request<T>(run: () => T | Promise<T>, namespace = 'test'): SingleFlightRequest<T> {
  return {
    namespace,
    run,
    encode: (value) => entryOf(value as never, { namespace }),
    decode: (entry) => entry.result as T,
  };
}

/** How many connections listen on the channel of `key`. */
async function subscribers(key: string): Promise<unknown> {
  return ((await admin.sendCommand(['PUBSUB', 'NUMSUB', entryKeys('flight', key).channel])) as unknown[])[1];
}

async function counter(name: string): Promise<number> {
  return Number(await admin.sendCommand(['GET', name]));
}

function workerConfig(overrides: Partial<WorkerConfig>): WorkerConfig {
  return {
    url: server.url,
    prefix: 'flight',
    keys: [hexKey()],
    computeMs: 200,
    leaseMs: 2000,
    mode: 'ok',
    counters: `counters-${randomUUID()}`,
    ...overrides,
  };
}

failOnUnhandledRejections();

beforeAll(async () => {
  server = await startRedisServer();
  admin = await adminClient(server.url);
});

afterAll(async () => {
  await Promise.all(stores.map((created) => created.close()));
  admin.destroy();
  await server.dispose();
});

describe('single flight across processes', () => {
  it('computes once for 6 processes × 4 concurrent calls of one key, and all 24 get the same result', async () => {
    const config = workerConfig({ callsPerKey: 4, computeMs: 1500 });
    const workers = Array.from({ length: 6 }, () => startWorker(config));
    const done = await Promise.all(workers.map((worker) => worker.done));
    const results = done.flatMap(({ results }) => results);
    expect(results).toHaveLength(24);
    expect(await counter(`${config.counters}:count:${config.keys[0]}`)).toBe(1);
    expect(results.every((result) => result.error === undefined)).toBe(true);
    expect(new Set(results.map((result) => JSON.stringify(result.value))).size).toBe(1);
    expect(results.filter((result) => result.source === 'computed')).toHaveLength(1);
  });

  it('computes 20 distinct keys from 3 processes in parallel, each key once', async () => {
    const computeMs = 500;
    const config = workerConfig({ keys: Array.from({ length: 20 }, hexKey), computeMs });
    const started = performance.now();
    const done = await Promise.all(Array.from({ length: 3 }, () => startWorker(config).done));
    const elapsed = performance.now() - started;
    for (const key of config.keys) {
      expect(await counter(`${config.counters}:count:${key}`)).toBe(1);
      const values = done.map(({ results }) => JSON.stringify(results.find((result) => result.key === key)?.value));
      expect(new Set(values).size).toBe(1);
    }
    // Computations overlapped: serially they would take 20 × computeMs.
    expect(await counter(`${config.counters}:max`)).toBeGreaterThanOrEqual(10);
    expect(elapsed).toBeLessThan((20 * computeMs) / 2);
  });

  it('lets a waiter take over when the owner is SIGKILLed mid-computation', async () => {
    const key = hexKey();
    const owner = startWorker(workerConfig({ keys: [key], mode: 'hang', leaseMs: 600, counters: 'killed' }));
    await owner.reached('started');
    const waiter = startWorker(workerConfig({ keys: [key], computeMs: 50, leaseMs: 600, counters: 'killed' }));
    await waiter.reached('calling');
    owner.child.kill('SIGKILL');
    const { results, stats } = await waiter.done;
    expect(results[0]?.error).toBeUndefined();
    expect(results[0]?.value?.computedBy).toBe(waiter.child.pid);
    expect(stats).toMatchObject({ waits: 1, takeovers: 1, leases: 1 });
    expect(await counter(`killed:count:${key}`)).toBe(2);
  });

  it('releases the lease at once when the owner throws: its error stays in its process and a waiter computes', async () => {
    const key = hexKey();
    // A lease of 60 s: only an explicit release lets the waiter finish within the test's time.
    const config = workerConfig({ keys: [key], leaseMs: 60_000, computeMs: 800, counters: 'thrown' });
    const owner = startWorker({ ...config, mode: 'throw' });
    await owner.reached('started');
    const waiter = startWorker({ ...config, computeMs: 50 });
    const [failed, succeeded] = await Promise.all([owner.done, waiter.done]);
    expect(failed.results[0]?.error).toMatch(/^owner \d+ failed$/);
    expect(succeeded.results[0]?.error).toBeUndefined();
    expect(succeeded.results[0]?.value?.computedBy).toBe(waiter.child.pid);
    expect(succeeded.stats).toMatchObject({ takeovers: 1 });
    // Nothing of the failure was stored.
    const stored = await store().get(key);
    expect(stored?.result).toMatchObject({ computedBy: waiter.child.pid });
  });

  it('keeps one computation when it lasts 5 × leaseMs, by renewing the lease', async () => {
    const config = workerConfig({ leaseMs: 500, computeMs: 2500, callsPerKey: 2 });
    const done = await Promise.all(Array.from({ length: 3 }, () => startWorker(config).done));
    const results = done.flatMap(({ results }) => results);
    expect(await counter(`${config.counters}:count:${config.keys[0]}`)).toBe(1);
    expect(new Set(results.map((result) => JSON.stringify(result.value))).size).toBe(1);
  });
});

describe('single flight in one process', () => {
  it('hands the owner’s value to a waiter, announced on the channel', async () => {
    const [owner, waiter] = [store(), store()];
    const key = hexKey();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = owner.singleFlight(
      key,
      request(async () => {
        await gate;
        return 'from owner';
      }),
    );
    await eventually(async () => Number(await admin.sendCommand(['EXISTS', entryKeys('flight', key).lease])) === 1);
    const second = waiter.singleFlight(
      key,
      request(() => 'from waiter'),
    );
    await eventually(async () => (await subscribers(key)) === 1);
    release();
    expect(await first).toMatchObject({ value: 'from owner', source: 'computed' });
    expect(await second).toMatchObject({ value: 'from owner', source: 'waited' });
    expect(waiter.stats()).toMatchObject({ hits: 1, waits: 1, leases: 0 });
    // The waiter unsubscribes once it has its value.
    await eventually(async () => (await subscribers(key)) === 0);
  });

  it('finds the value by polling when the completion message is lost', async () => {
    const waiter = store();
    const key = hexKey();
    const keys = entryKeys('flight', key);
    // Another "process" holds the lease for a long time, then stores its value without publishing anything.
    await admin.sendCommand(['SET', keys.lease, 'someone-else', 'PX', '60000']);
    const waited = waiter.singleFlight(
      key,
      request(() => 'computed here'),
    );
    await eventually(() => waiter.stats().waits === 1);
    await admin.sendCommand(['SET', keys.value, encodeEnvelope(key, entryOf('stored elsewhere')), 'PX', '60000']);
    await admin.sendCommand(['DEL', keys.lease]);
    expect(await waited).toMatchObject({ value: 'stored elsewhere', source: 'waited' });
  });

  it('computes locally once waitTimeout has passed', async () => {
    const waiter = store({ waitTimeout: 300 });
    const key = hexKey();
    await admin.sendCommand(['SET', entryKeys('flight', key).lease, 'someone-else', 'PX', '60000']);
    expect(
      await waiter.singleFlight(
        key,
        request(() => 'mine'),
      ),
    ).toMatchObject({ value: 'mine', source: 'local' });
    expect(waiter.stats()).toMatchObject({ waitTimeouts: 1, localComputations: 1 });
  });

  it('tells waiters to compute on their own when the owner’s value is too large to store', async () => {
    const [owner, waiter] = [store({ maxValueBytes: 200 }), store()];
    const key = hexKey();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = owner.singleFlight(
      key,
      request(async () => {
        await gate;
        return 'x'.repeat(1000);
      }),
    );
    await eventually(async () => Number(await admin.sendCommand(['EXISTS', entryKeys('flight', key).lease])) === 1);
    const second = waiter.singleFlight(
      key,
      request(() => 'small'),
    );
    await eventually(async () => (await subscribers(key)) === 1);
    // Let the waiter take its look after subscribing: the lease is still held, so it waits for the message.
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect((await first).source).toBe('computed');
    expect(await second).toMatchObject({ value: 'small', source: 'local' });
    expect(owner.stats().oversized).toBe(1);
  });

  it('propagates what run throws to its caller only, and stores nothing', async () => {
    const owner = store();
    const key = hexKey();
    await expect(
      owner.singleFlight(
        key,
        request(() => Promise.reject(new Error('boom'))),
      ),
    ).rejects.toThrow('boom');
    await eventually(
      async () => Number(await admin.sendCommand(['EXISTS', entryKeys('flight', key).lease])) === 0,
      2000,
    );
    expect(await owner.get(key)).toBeUndefined();
  });

  it('recomputes an entry of another namespace, or one its decoder rejects', async () => {
    const remote = store();
    const [otherNamespace, undecodable] = [hexKey(), hexKey()];
    await remote.set(otherNamespace, entryOf('theirs', { namespace: 'other' }));
    await remote.set(undecodable, entryOf('bad', { namespace: 'test' }));
    expect(
      await remote.singleFlight(
        otherNamespace,
        request(() => 'ours'),
      ),
    ).toMatchObject({ value: 'ours' });
    const rejecting: SingleFlightRequest<string> = {
      ...request(() => 'fresh'),
      decode: () => {
        throw new Error('cannot decode');
      },
    };
    expect(await remote.singleFlight(undecodable, rejecting)).toMatchObject({ value: 'fresh', source: 'local' });
  });

  it('takes no lease when singleFlight is off', async () => {
    const remote = store({ singleFlight: false });
    const key = hexKey();
    let leaseSeen = -1;
    const result = await remote.singleFlight(
      key,
      request(async () => {
        leaseSeen = Number(await admin.sendCommand(['EXISTS', entryKeys('flight', key).lease]));
        return 'plain';
      }),
    );
    expect(result).toMatchObject({ value: 'plain', source: 'local' });
    expect(leaseSeen).toBe(0);
    await remote.close();
    expect(await store().get(key)).toMatchObject({ result: 'plain' });
  });
});
