import type { RedisClientType } from 'redis';
import { scrubSecrets } from './failure.js';
import { loadRedis } from './load-redis.js';

/**
 * A node-redis v6 client (`createClient()`), whatever its modules, scripts, RESP version and type mapping.
 *
 * @example
 * ```ts
 * const client: RedisClient = createClient({ url: 'rediss://cache:6380' });
 * ```
 */
export type RedisClient = RedisClientType<any, any, any, any, any>;

const BACKOFF_FIRST = 50;
const BACKOFF_CAP = 2_000;
const BACKOFF_JITTER = 200;

/**
 * Reconnect forever, with capped exponential backoff and jitter (so a fleet does not reconnect in lockstep).
 * node-redis's default strategy gives up for good after a socket timeout, which would leave the tier dead.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(BACKOFF_FIRST * 2 ** Math.min(retries, 16), BACKOFF_CAP) + Math.floor(Math.random() * BACKOFF_JITTER);
}

/**
 * Creates the client memotape owns for a `url`: the offline queue is off (a command sent while disconnected fails at
 * once instead of waiting for a reconnection), reconnection never gives up, the socket does not keep the process
 * alive, and commands carry no timeout of node-redis's own (memotape's deadline covers them). Connecting starts at
 * once, in the background. Throws a TypeError naming `url` if node-redis rejects it.
 */
export function createOwnedClient(
  url: string,
  secrets: readonly string[],
  onError: (error: unknown) => void,
): { client: RedisClient; firstAttempt: () => Promise<void> | undefined } {
  const { createClient } = loadRedis();
  let client: RedisClient;
  try {
    client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: reconnectDelay },
      // memotape's own deadline bounds every command (see deadline.ts); node-redis's command timeout (5 s by default)
      // would only add a timer and an AbortSignal to each command, a tenth of a remote hit's CPU time.
      commandOptions: { timeout: 0 },
    }) as unknown as RedisClient;
  } catch (error) {
    throw new TypeError(
      `Expected \`url\` to be a redis:// or rediss:// URL: ${scrubSecrets(String((error as Error)?.message ?? error), secrets)}`,
    );
  }
  return { client, firstAttempt: prepareOwnedClient(client, onError) };
}

/**
 * Wires a client memotape owns: errors are handled (never an 'error' event without listener), the socket is unref'd,
 * and connecting starts. Answers a function that returns, while the first connection attempt is still under way, a
 * promise settling when it succeeds or fails: operations sent right after construction wait for it (within their
 * deadline) instead of failing at once on a client that is not connected yet.
 */
export function prepareOwnedClient(
  client: RedisClient,
  onError: (error: unknown) => void,
): () => Promise<void> | undefined {
  client.on('error', onError);
  client.unref();
  let firstAttempt: Promise<void> | undefined = new Promise<void>((resolve) => {
    const settle = (): void => {
      client.off('ready', settle);
      client.off('error', settle);
      firstAttempt = undefined;
      resolve();
    };
    client.on('ready', settle);
    client.on('error', settle);
  });
  // connect() settles when the first connection is ready; failures are reported through the 'error' event and
  // retried by the reconnect strategy, so its own rejection (only after close) carries nothing new.
  client.connect().catch(() => {});
  return () => firstAttempt;
}
