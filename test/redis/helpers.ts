import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, expect } from 'vitest';
import type { RedisClient } from '../../src/redis/client.js';
import type { StoredEntry } from '../../src/stores/store.js';

/** A fresh random 32-hex key. */
export function hexKey(): string {
  return randomBytes(16).toString('hex');
}

/** A small StoredEntry holding `result` (plain JSON, or already tagged). */
export function entryOf(result: StoredEntry['result'], overrides: Partial<StoredEntry> = {}): StoredEntry {
  return { namespace: 'test', params: { args: [] }, result, promise: true, createdAt: Date.now(), ...overrides };
}

/** A connected node-redis client for the test itself (setup, inspection, fault injection). */
export async function adminClient(url: string): Promise<RedisClient> {
  const client = createClient({ url, socket: { reconnectStrategy: 100 } }) as unknown as RedisClient;
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Every key of the server, by SCAN. */
export async function allKeys(client: RedisClient): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await client.sendCommand(['SCAN', cursor, 'COUNT', '1000'])) as unknown as [
      string,
      string[],
    ];
    cursor = String(next);
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

/** Polls `check` every 25 ms until it returns true, for at most `timeout` ms. */
export async function eventually(check: () => boolean | Promise<boolean>, timeout = 8000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Fails the file if any promise rejection goes unhandled while it runs: a Redis failure must never surface as one
 * in the user's program.
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', listener);
  afterAll(() => {
    process.off('unhandledRejection', listener);
    expect(unhandled).toEqual([]);
  });
}

/** Measures how long `run` takes, in ms. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; elapsed: number }> {
  const started = performance.now();
  const value = await run();
  return { value, elapsed: performance.now() - started };
}
