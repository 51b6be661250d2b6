import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../../src/redis/envelope.js';
import { entryKeys } from '../../src/redis/keys.js';
import type { SingleFlightRequest } from '../../src/redis/single-flight-host.js';
import { adminClient, entryOf, eventually, hexKey } from './helpers.js';
import { useRedisServer } from './redis-fixture.js';
import { startWorker, type WorkerConfig } from './worker.js';

const redis = useRedisServer({ prefix: 'flight' });
const store = redis.store;

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
  return ((await redis.admin.sendCommand(['PUBSUB', 'NUMSUB', entryKeys('flight', key).channel])) as unknown[])[1];
}

/** Whether someone holds the lease of `key`. */
async function leaseHeld(key: string): Promise<boolean> {
  return Number(await redis.admin.sendCommand(['EXISTS', entryKeys('flight', key).lease])) === 1;
}

/** How many times the server has run a Lua script (EVALSHA or EVAL) so far. */
async function scriptCalls(): Promise<number> {
  const info = String(await redis.admin.sendCommand(['INFO', 'commandstats']));
  return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

async function counter(name: string): Promise<number> {
  return Number(await redis.admin.sendCommand(['GET', name]));
}

function workerConfig(overrides: Partial<WorkerConfig>): WorkerConfig {
  return {
    url: redis.server.url,
    prefix: 'flight',
    keys: [hexKey()],
    computeMs: 200,
    leaseMs: 2000,
    mode: 'ok',
    counters: `counters-${randomUUID()}`,
    ...overrides,
  };
}

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
    await eventually(() => leaseHeld(key));
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
    await redis.admin.sendCommand(['SET', keys.lease, 'someone-else', 'PX', '60000']);
    const waited = waiter.singleFlight(
      key,
      request(() => 'computed here'),
    );
    await eventually(() => waiter.stats().waits === 1);
    await redis.admin.sendCommand(['SET', keys.value, encodeEnvelope(key, entryOf('stored elsewhere')), 'PX', '60000']);
    await redis.admin.sendCommand(['DEL', keys.lease]);
    expect(await waited).toMatchObject({ value: 'stored elsewhere', source: 'waited' });
  });

  it('computes locally once waitTimeout has passed', async () => {
    const waiter = store({ waitTimeout: 300 });
    const key = hexKey();
    await redis.admin.sendCommand(['SET', entryKeys('flight', key).lease, 'someone-else', 'PX', '60000']);
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
    await eventually(() => leaseHeld(key));
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
    await eventually(async () => !(await leaseHeld(key)), 2000);
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

  it('answers a hit with a plain GET: no script runs and no lease is taken', async () => {
    const remote = store();
    const key = hexKey();
    await remote.set(key, entryOf('stored', { namespace: 'test' }));
    const scriptsBefore = await scriptCalls();
    expect(
      await remote.singleFlight(
        key,
        request(() => 'computed'),
      ),
    ).toMatchObject({ value: 'stored', source: 'hit' });
    expect(await scriptCalls()).toBe(scriptsBefore);
    expect(await leaseHeld(key)).toBe(false);
  });

  it('finds a value stored between its GET and the lease script, and takes no lease over it', async () => {
    const client = await adminClient(redis.server.url);
    const key = hexKey();
    const send = client.sendCommand.bind(client);
    // Another process stores the value right after this one's GET missed: the lease script must see it.
    client.sendCommand = (async (args: readonly string[], options?: unknown) => {
      const reply = await send(args as never, options as never);
      if (args[0] === 'GET' && args[1] === entryKeys('flight', key).value) {
        await send(['SET', args[1], encodeEnvelope(key, entryOf('stored meanwhile')), 'PX', '60000']);
      }
      return reply;
    }) as typeof client.sendCommand;
    const remote = store({ client });
    let computed = 0;
    const result = await remote.singleFlight(
      key,
      request(() => {
        computed++;
        return 'computed';
      }),
    );
    expect(result).toMatchObject({ value: 'stored meanwhile', source: 'hit' });
    expect(computed).toBe(0);
    expect(await leaseHeld(key)).toBe(false);
    await remote.close();
    client.destroy();
  });

  it('takes no lease when singleFlight is off', async () => {
    const remote = store({ singleFlight: false });
    const key = hexKey();
    let leaseSeen = -1;
    const result = await remote.singleFlight(
      key,
      request(async () => {
        leaseSeen = Number(await leaseHeld(key));
        return 'plain';
      }),
    );
    expect(result).toMatchObject({ value: 'plain', source: 'local' });
    expect(leaseSeen).toBe(0);
    await remote.close();
    expect(await store().get(key)).toMatchObject({ result: 'plain' });
  });
});
