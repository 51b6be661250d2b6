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
 * The delay before reconnection attempt `retries` (0 for the first): capped exponential backoff with jitter, so a
 * fleet does not reconnect in lockstep.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(BACKOFF_FIRST * 2 ** Math.min(retries, 16), BACKOFF_CAP) + Math.floor(Math.random() * BACKOFF_JITTER);
}

/**
 * node-redis's own reconnection is switched off (its strategy gives up at once): it waits between attempts on a
 * `timers/promises` timer, which keeps the event loop alive, so a process whose Redis is down would never exit.
 * memotape reconnects instead, on an unref'd timer (see {@link prepareOwnedClient}).
 */
const giveUpAtOnce = (): false => false;

/** A client memotape owns: the first connection attempt under way, and how to close it for good. */
export interface OwnedConnection {
  /** While the first connection attempt is under way, a promise settling when it succeeds or fails. */
  readonly firstAttempt: () => Promise<void> | undefined;
  /** Stops reconnecting and closes the client. */
  readonly destroy: () => void;
}

/**
 * Creates the client memotape owns for a `url`: the offline queue is off (a command sent while disconnected fails at
 * once instead of waiting for a reconnection), reconnection never gives up, neither the socket nor the wait between
 * reconnection attempts keeps the process alive, and commands carry no timeout of node-redis's own (memotape's
 * deadline covers them). Connecting starts at once, in the background. Throws a TypeError naming `url` if node-redis
 * rejects it.
 */
export function createOwnedClient(
  url: string,
  secrets: readonly string[],
  onError: (error: unknown) => void,
): { client: RedisClient; connection: OwnedConnection } {
  const { createClient } = loadRedis();
  let client: RedisClient;
  try {
    client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: giveUpAtOnce },
      // memotape's own deadline bounds every command (see deadline.ts); node-redis's command timeout (5 s by default)
      // would only add a timer and an AbortSignal to each command, a tenth of a remote hit's CPU time.
      commandOptions: { timeout: 0 },
    }) as unknown as RedisClient;
  } catch (error) {
    throw new TypeError(
      `Expected \`url\` to be a redis:// or rediss:// URL: ${scrubSecrets(String((error as Error)?.message ?? error), secrets)}`,
    );
  }
  return { client, connection: prepareOwnedClient(client, onError) };
}

/**
 * Wires a client memotape owns: errors are handled (never an 'error' event without listener), the socket is unref'd,
 * connecting starts, and a connection that fails or is lost is retried forever with {@link reconnectDelay}, on an
 * unref'd timer: an idle process exits even while Redis is down, a long-running one reconnects once it is back.
 * The client must give up reconnecting on its own (a `reconnectStrategy` answering false, as `createOwnedClient`
 * and its `duplicate()`s do); it then emits 'terminated' and memotape connects it again.
 */
export function prepareOwnedClient(client: RedisClient, onError: (error: unknown) => void): OwnedConnection {
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
  let destroyed = false;
  let retries = 0;
  let timer: NodeJS.Timeout | undefined;
  // connect() settles when a connection is ready; its failures are reported through the 'error' event and end in
  // 'terminated' (below), so its own rejection carries nothing new.
  const connect = (): void => {
    timer = undefined;
    if (!destroyed && !client.isOpen) client.connect().catch(() => {});
  };
  client.on('ready', () => {
    retries = 0;
  });
  client.on('terminated', () => {
    if (destroyed || timer !== undefined) return;
    timer = setTimeout(connect, reconnectDelay(retries++));
    timer.unref();
  });
  connect();
  return {
    firstAttempt: () => firstAttempt,
    destroy: () => {
      destroyed = true;
      clearTimeout(timer);
      client.destroy();
    },
  };
}
