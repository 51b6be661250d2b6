import type { RedisClient } from './client.js';
import { validatePrefix } from './keys.js';

/**
 * Options of `new RedisStore()`. Give exactly one of `url` and `client`; everything else is optional.
 *
 * @example
 * ```ts
 * const remote = new RedisStore({ url: 'redis://cache.internal:6379', prefix: 'myapp', leaseMs: 30_000 });
 * ```
 */
export interface RedisStoreOptions {
  /**
   * A `redis://` or `rediss://` URL. memotape then creates, connects and (on `close()`) closes its own client, with
   * the offline queue off and a reconnect strategy that never gives up.
   */
  readonly url?: string | undefined;
  /**
   * A node-redis v6 client you created (for TLS options, ACL credentials, a custom socket). It is used as it is
   * (connect it yourself) and never closed by memotape. memotape duplicates it once for pub/sub and closes that copy.
   */
  readonly client?: RedisClient | undefined;
  /**
   * The first part of every key (`<prefix>:v2:{<key>}:value`). Use one per application, to share a server safely.
   * @default 'memotape'
   */
  readonly prefix?: string | undefined;
  /**
   * Milliseconds a value lives in Redis when its entry has no expiry of its own. Nothing is written without a TTL.
   * @default 604_800_000 (7 days)
   */
  readonly defaultTtl?: number | undefined;
  /**
   * Values larger than this (in bytes, as stored) are not written to Redis: they stay in the local tiers, and
   * `stats().oversized` counts them.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxValueBytes?: number | undefined;
  /**
   * memotape's own deadlines, in ms: `get` for reads and lease lookups, `set` for writes, completions, lease renewals
   * and `clear()` batches. An operation without an answer by then is abandoned and counted in `stats().timeouts`.
   * @default { get: 250, set: 2000 }
   */
  readonly timeouts?: { readonly get?: number | undefined; readonly set?: number | undefined } | undefined;
  /**
   * Whether `singleFlight()` coordinates processes with a lease, so one computes and the others wait for its value.
   * When false it only reads, computes on a miss and writes.
   * @default true
   */
  readonly singleFlight?: boolean | undefined;
  /**
   * Milliseconds a lease lasts without renewal. Its owner renews it every `leaseMs / 3` while computing; if the
   * owner dies, a waiter takes over once it expires.
   * @default 10_000
   */
  readonly leaseMs?: number | undefined;
  /**
   * The longest a caller waits for another process's computation before computing on its own.
   * @default 60_000
   */
  readonly waitTimeout?: number | undefined;
  /**
   * The circuit breaker: after `failureThreshold` consecutive timeouts or connection failures the tier is skipped
   * (no remote latency at all) until `cooldown` ms have passed; then one call probes it.
   * @default { failureThreshold: 3, cooldown: 5000 }
   */
  readonly circuitBreaker?:
    | { readonly failureThreshold?: number | undefined; readonly cooldown?: number | undefined }
    | undefined;
}

/** {@link RedisStoreOptions} with every default applied. */
export interface RedisStoreSettings {
  readonly url: string | undefined;
  readonly client: RedisClient | undefined;
  readonly prefix: string;
  readonly defaultTtl: number;
  readonly maxValueBytes: number;
  readonly timeouts: { readonly get: number; readonly set: number };
  readonly singleFlight: boolean;
  readonly leaseMs: number;
  readonly waitTimeout: number;
  readonly circuitBreaker: { readonly failureThreshold: number; readonly cooldown: number };
}

const OPTION_NAMES = new Set([
  'url',
  'client',
  'prefix',
  'defaultTtl',
  'maxValueBytes',
  'timeouts',
  'singleFlight',
  'leaseMs',
  'waitTimeout',
  'circuitBreaker',
]);

const WEEK = 7 * 24 * 60 * 60 * 1000;

function positiveInteger(value: unknown, option: string, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new TypeError(`Expected \`${option}\` to be an integer of at least ${minimum}, got ${String(value)}`);
  }
  return value;
}

function nestedObject(value: unknown, option: string, names: ReadonlySet<string>): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected \`${option}\` to be an object`);
  }
  for (const name of Object.keys(value)) {
    if (!names.has(name)) throw new TypeError(`Unknown option \`${option}.${name}\``);
  }
  return value as Record<string, unknown>;
}

function isClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sendCommand?: unknown }).sendCommand === 'function' &&
    typeof (value as { duplicate?: unknown }).duplicate === 'function'
  );
}

/** Checks every option at once and applies the defaults; throws a TypeError naming the first bad option. */
export function resolveRedisStoreOptions(options: unknown): RedisStoreSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
  const given = options as RedisStoreOptions;
  for (const name of Object.keys(given)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`Unknown option \`${name}\` passed to RedisStore`);
  }
  if ((given.url === undefined) === (given.client === undefined)) {
    throw new TypeError('Expected exactly one of `url` and `client`');
  }
  if (given.url !== undefined && (typeof given.url !== 'string' || !/^rediss?:\/\//.test(given.url))) {
    throw new TypeError('Expected `url` to be a redis:// or rediss:// URL');
  }
  if (given.client !== undefined && !isClient(given.client)) {
    throw new TypeError('Expected `client` to be a node-redis client (from `createClient()`)');
  }
  if (given.singleFlight !== undefined && typeof given.singleFlight !== 'boolean') {
    throw new TypeError(`Expected \`singleFlight\` to be a boolean, got ${typeof given.singleFlight}`);
  }
  const timeouts = nestedObject(given.timeouts, 'timeouts', new Set(['get', 'set']));
  const breaker = nestedObject(given.circuitBreaker, 'circuitBreaker', new Set(['failureThreshold', 'cooldown']));
  return {
    url: given.url,
    client: given.client,
    prefix: given.prefix === undefined ? 'memotape' : validatePrefix(given.prefix),
    defaultTtl: positiveInteger(given.defaultTtl, 'defaultTtl', WEEK),
    maxValueBytes: positiveInteger(given.maxValueBytes, 'maxValueBytes', 1024 * 1024),
    timeouts: {
      get: positiveInteger(timeouts.get, 'timeouts.get', 250),
      set: positiveInteger(timeouts.set, 'timeouts.set', 2000),
    },
    singleFlight: given.singleFlight ?? true,
    leaseMs: positiveInteger(given.leaseMs, 'leaseMs', 10_000, 30),
    waitTimeout: positiveInteger(given.waitTimeout, 'waitTimeout', 60_000, 0),
    circuitBreaker: {
      failureThreshold: positiveInteger(breaker.failureThreshold, 'circuitBreaker.failureThreshold', 3),
      cooldown: positiveInteger(breaker.cooldown, 'circuitBreaker.cooldown', 5000, 0),
    },
  };
}
