import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisTierError } from '../../src/errors.js';
import type { RedisClient } from '../../src/redis/client.js';
import { entryKeys } from '../../src/redis/keys.js';
import { RedisStore } from '../../src/redis/redis-store.js';
import type { RedisStoreOptions } from '../../src/redis/redis-store-options.js';
import { adminClient, allKeys, entryOf, eventually, failOnUnhandledRejections, hexKey, timed } from './helpers.js';
import { freePort, type RedisServer, startRedisServer } from './redis-server.js';
import { startTcpProxy } from './tcp-proxy.js';

/*
 * Redis down, slow, full or refusing must never break the user's call: each call resolves within memotape's
 * deadline plus its own compute time, with the right value and no unhandled rejection, and the tier is used again
 * once the server is back. Each scenario gets a server of its own.
 */

const GET_TIMEOUT = 250;
const COMPUTE_MS = 100;
// Generous: the bound being checked is "no waiting on Redis beyond the deadline", not the machine's speed.
const SLACK = 1000;

const cleanups: (() => Promise<void> | void)[] = [];
const warnings: string[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(`${warning.name}: ${warning.message}`);
};
process.on('warning', onWarning);

failOnUnhandledRejections();

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => {
  process.off('warning', onWarning);
});

async function server(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
  const started = await startRedisServer({ extraArgs, ...(port === undefined ? {} : { port }) });
  cleanups.push(() => started.dispose());
  return started;
}

async function admin(url: string): Promise<RedisClient> {
  const client = await adminClient(url);
  cleanups.push(() => client.destroy());
  return client;
}

function store(url: string, options: Partial<RedisStoreOptions> = {}): RedisStore {
  const created = new RedisStore({
    url,
    prefix: 'failures',
    timeouts: { get: GET_TIMEOUT, set: 500 },
    circuitBreaker: { failureThreshold: 2, cooldown: 200 },
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

/** One memoized-style call: resolves with the right value within the deadline plus compute time. */
async function callWithinDeadline(remote: RedisStore, key = hexKey()) {
  const { value: result, elapsed } = await timed(() =>
    remote.singleFlight(key, {
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, COMPUTE_MS));
        return `value of ${key}`;
      },
      encode: (value) => entryOf(value),
      decode: (entry) => entry.result as string,
    }),
  );
  expect(result.value).toBe(`value of ${key}`);
  expect(elapsed).toBeLessThan(GET_TIMEOUT + COMPUTE_MS + SLACK);
  return result;
}

/** Waits until a call is served through Redis again: computed under a lease, and readable afterwards. */
async function tierUsedAgain(remote: RedisStore): Promise<void> {
  await eventually(async () => (await callWithinDeadline(remote)).source === 'computed', 10_000);
  expect(remote.circuit).toBe('closed');
}

describe('when Redis is unreachable', () => {
  it('serves calls without it when no server runs at startup, and uses it once one starts', async () => {
    const port = await freePort();
    const remote = store(`redis://127.0.0.1:${port}`);
    const downs: string[] = [];
    remote.on('down', ({ reason }) => downs.push(reason));
    let ups = 0;
    remote.on('up', () => ups++);
    for (let call = 0; call < 4; call++) expect((await callWithinDeadline(remote)).source).toBe('local');
    const { value: missing, elapsed } = await timed(() => remote.get(hexKey()));
    expect(missing).toBeUndefined();
    expect(elapsed).toBeLessThan(GET_TIMEOUT + SLACK);
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatch(/ECONNREFUSED/);
    expect(remote.stats().skipped).toBeGreaterThan(0);
    await expect(remote.clear()).rejects.toBeInstanceOf(RedisTierError);

    await server([], port);
    await tierUsedAgain(remote);
    expect(ups).toBe(1);
  });

  it('survives a server shutdown and restart on the same port', async () => {
    const victim = await server();
    const remote = store(victim.url);
    expect((await callWithinDeadline(remote)).source).toBe('computed');
    await victim.stop();
    for (let call = 0; call < 3; call++) expect((await callWithinDeadline(remote)).source).toBe('local');
    await victim.start();
    await tierUsedAgain(remote);
  });

  it('abandons calls to a SIGSTOPped server at the deadline, and resumes after SIGCONT', async () => {
    const victim = await server();
    const remote = store(victim.url);
    const key = hexKey();
    await remote.set(key, entryOf('kept'));
    victim.signal('SIGSTOP');
    try {
      for (let call = 0; call < 3; call++) expect((await callWithinDeadline(remote)).source).toBe('local');
      const { elapsed } = await timed(() => remote.get(key));
      expect(elapsed).toBeLessThan(GET_TIMEOUT + SLACK);
      expect(remote.stats().timeouts).toBeGreaterThanOrEqual(2);
    } finally {
      victim.signal('SIGCONT');
    }
    await tierUsedAgain(remote);
    expect(await remote.get(key)).toMatchObject({ result: 'kept' });
  });

  it('abandons calls to a slow server (DEBUG SLEEP) at the deadline', async () => {
    const victim = await server();
    const remote = store(victim.url);
    const key = hexKey();
    await remote.set(key, entryOf('kept'));
    const sleeper = await admin(victim.url);
    const sleeping = sleeper.sendCommand(['DEBUG', 'SLEEP', '1.5']);
    const { value, elapsed } = await timed(() => remote.get(key));
    expect(value).toBeUndefined();
    expect(elapsed).toBeLessThan(GET_TIMEOUT + SLACK);
    expect((await callWithinDeadline(remote)).source).toBe('local');
    expect(remote.stats().timeouts).toBeGreaterThanOrEqual(2);
    await sleeping;
    await eventually(async () => (await remote.get(key)) !== undefined, 10_000);
  });

  it('skips the tier during a network partition and uses it again once healed', async () => {
    const victim = await server();
    const proxy = await startTcpProxy(victim.port);
    cleanups.push(() => proxy.close());
    const remote = store(proxy.url);
    expect((await callWithinDeadline(remote)).source).toBe('computed');
    proxy.partition();
    for (let call = 0; call < 4; call++) expect((await callWithinDeadline(remote)).source).toBe('local');
    expect(remote.circuit).not.toBe('closed');
    expect(remote.stats().skipped).toBeGreaterThan(0);
    proxy.heal();
    await tierUsedAgain(remote);
  });

  it('reconnects after CLIENT KILL', async () => {
    const victim = await server();
    const killer = await admin(victim.url);
    const remote = store(victim.url);
    expect((await callWithinDeadline(remote)).source).toBe('computed');
    await killer.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    await killer.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    for (let call = 0; call < 3; call++) await callWithinDeadline(remote);
    await tierUsedAgain(remote);
  });
});

describe('when Redis refuses', () => {
  it('keeps serving and reading hits from a full server (maxmemory + noeviction)', async () => {
    const victim = await server(['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']);
    const filler = await admin(victim.url);
    const remote = store(victim.url);
    const stored = hexKey();
    await remote.set(stored, entryOf('stored before'));
    await filler.sendCommand(['DEBUG', 'POPULATE', '30000', 'filler', '100']);
    await expect(filler.sendCommand(['SET', 'probe', 'x'])).rejects.toThrow(/^OOM/);

    const fresh = hexKey();
    expect((await callWithinDeadline(remote, fresh)).source).toBe('local');
    await remote.set(hexKey(), entryOf('no room'));
    expect(await remote.get(stored)).toMatchObject({ result: 'stored before' });
    expect(remote.stats().errors).toBeGreaterThanOrEqual(2);
    expect(remote.circuit).toBe('closed');
    const leftovers = (await allKeys(filler)).filter((key) => key.startsWith('failures:'));
    expect(leftovers).toEqual([entryKeys('failures', stored).value]);
  });

  it('keeps serving from a read-only replica (READONLY)', async () => {
    // No delay before the first full sync (the default waits 5 s for more replicas).
    const primary = await server(['--repl-diskless-sync-delay', '0']);
    const replica = await server(['--replicaof', '127.0.0.1', String(primary.port)]);
    const writer = store(primary.url);
    const key = hexKey();
    await writer.set(key, entryOf('replicated'));
    const remote = store(replica.url);
    await eventually(async () => (await remote.get(key)) !== undefined);
    expect((await callWithinDeadline(remote)).source).toBe('local');
    await remote.set(hexKey(), entryOf('refused'));
    expect(remote.stats().errors).toBeGreaterThanOrEqual(2);
    expect(remote.circuit).toBe('closed');
  });

  it('keeps serving under an ACL user without access to the prefix (NOPERM), and emits errors', async () => {
    const victim = await server();
    const root = await admin(victim.url);
    await root.sendCommand(['ACL', 'SETUSER', 'narrow', 'on', '>narrow-pass', '~elsewhere:*', '+@all']);
    const remote = store(victim.url.replace('redis://', 'redis://narrow:narrow-pass@'));
    const errors: RedisTierError[] = [];
    remote.on('error', (error) => errors.push(error));
    expect(await remote.get(hexKey())).toBeUndefined();
    expect((await callWithinDeadline(remote)).source).toBe('local');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toBeInstanceOf(RedisTierError);
    expect(errors[0]?.code).toBe('ERR_MEMOTAPE_REDIS');
    expect(errors[0]?.operation).toBe('get');
    expect(errors[0]?.message).toMatch(/NOPERM/);
    expect(remote.circuit).toBe('closed');
  });

  it('treats a wrong password as an outage and never shows the password', async () => {
    const victim = await server(['--requirepass', 'right-password']);
    const remote = store(victim.url.replace('redis://', 'redis://default:wrong-password-42@'));
    const messages: string[] = [];
    remote.on('down', ({ reason }) => messages.push(reason));
    remote.on('error', (error) => messages.push(error.message));
    for (let call = 0; call < 3; call++) expect((await callWithinDeadline(remote)).source).toBe('local');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.some((message) => /WRONGPASS/.test(message))).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.some((warning) => /Redis tier/.test(warning))).toBe(true);
    for (const text of [...messages, ...warnings]) expect(text).not.toContain('wrong-password-42');
  });
});
