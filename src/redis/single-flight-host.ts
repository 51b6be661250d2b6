import type { StoredEntry } from '../stores/store.js';
import type { Channels } from './channels.js';
import type { RedisClient } from './client.js';
import type { RemoteEntry } from './envelope.js';
import type { Guard } from './guard.js';
import type { RedisCounters } from './redis-stats.js';

/**
 * One call of `RedisStore.singleFlight()`: how to compute the value, and how to turn it into a StoredEntry and back.
 *
 * @example
 * ```ts
 * const request: SingleFlightRequest<User> = {
 *   namespace: 'fetchUser',
 *   run: () => fetchUser(42),
 *   encode: (user) => ({ namespace: 'fetchUser', params: { args: [42] }, result: user, promise: true, createdAt: Date.now() }),
 *   decode: (entry) => entry.result as User,
 * };
 * ```
 */
export interface SingleFlightRequest<T> {
  /** The namespace the key belongs to: a stored entry of another namespace reads as a miss. @default any */
  readonly namespace?: string | undefined;
  /** Computes the value. Its errors reach this caller only: they are never stored or shared with other processes. */
  readonly run: () => T | PromiseLike<T>;
  /**
   * Turns a computed value into the entry to store; `undefined` means it must not be stored. If it throws, the value
   * is returned but not stored.
   */
  readonly encode: (value: T) => StoredEntry | undefined;
  /** Turns a stored entry back into a value. If it throws, the entry counts as damaged and the value is computed. */
  readonly decode: (entry: StoredEntry) => T;
  /**
   * For `refresh()`: whether an entry found in Redis still needs refreshing.
   * @default `entry.staleAt` has passed by `Date.now()`
   */
  readonly stale?: ((entry: StoredEntry) => boolean) | undefined;
}

/**
 * Where a `singleFlight()` value came from: `hit` (found in Redis at once), `waited` (computed by another process
 * while this one waited), `computed` (computed here under the lease, and stored for everyone) or `local` (computed
 * here without a lease: Redis unreachable or full, the wait timed out, or single flight is off).
 *
 * @example
 * ```ts
 * const { source } = await remote.singleFlight(key, request);
 * if (source === 'local') metrics.increment('computed-without-lease');
 * ```
 */
export type SingleFlightSource = 'hit' | 'waited' | 'computed' | 'local';

/**
 * The outcome of `RedisStore.singleFlight()`.
 *
 * @example
 * ```ts
 * const { value, source, entry } = await remote.singleFlight(key, request);
 * if (source === 'hit' || source === 'waited') memory.insert(entry); // came from Redis
 * ```
 */
export interface SingleFlightResult<T> {
  readonly value: T;
  readonly source: SingleFlightSource;
  /** The stored entry (`hit`, `waited`), or the computed value's entry (`undefined` when `encode` threw). */
  readonly entry: StoredEntry | undefined;
}

/** A value ready to be written: its envelope and PX, or `undefined` for nothing to write. */
export type PreparedWrite = { readonly envelope: string; readonly ttl: number } | undefined;

/** What single flight needs from its store. */
export interface SingleFlightHost {
  readonly prefix: string;
  readonly leaseMs: number;
  readonly waitTimeout: number;
  readonly singleFlight: boolean;
  readonly timeouts: { readonly get: number; readonly set: number };
  readonly guard: Guard;
  readonly channels: Channels;
  readonly counters: RedisCounters;
  client(): RedisClient;
  /**
   * The envelope and PX to store `entry` under `hexKey`, or `undefined` when it must not be stored (for a tagged
   * entry, asynchronously: its tag versions are read first, and a tag invalidated since `startedAt` — server
   * microseconds — means it is not stored).
   */
  prepareWrite(hexKey: string, entry: StoredEntry, startedAt?: number): PreparedWrite | Promise<PreparedWrite>;
  /** The entry in an envelope read from the value key, or `undefined` (damaged, expired, wrong key). */
  readEnvelope(hexKey: string, text: unknown): RemoteEntry | undefined;
  /** Whether the tags of `entry` were not invalidated since it was stored. */
  tagsAreCurrent(entry: RemoteEntry): Promise<boolean>;
  /** Writes `entry` in the background, as `set()` does. */
  writeInBackground(hexKey: string, entry: StoredEntry, startedAt?: number): void;
  track(promise: Promise<unknown>): void;
}
