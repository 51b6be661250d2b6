import type { Json } from '../codec.js';

/** A value or a promise of it: every {@link Store} method may answer synchronously or asynchronously. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * One persisted entry, as the disk tier, the dump file and remote tiers hold it. Everything in it is JSON.
 *
 * @example
 * ```ts
 * const entry: StoredEntry = { namespace: 'fetchUser', params: { args: [1] }, result: { id: 1 }, promise: true, createdAt: Date.now() };
 * ```
 */
export interface StoredEntry {
  /** The function's persisted namespace (its `name` option, else its own name). */
  readonly namespace: string;
  /** The encoded params, in tagged JSON: what identifies the call, shown in dumps. */
  readonly params: Json;
  /** The encoded result, in tagged JSON. */
  readonly result: Json;
  /** Whether the function returned a promise (a hit then returns a promise too). */
  readonly promise: boolean;
  /** When the entry was recorded (ms since the epoch; for a promise, when it settled). */
  readonly createdAt: number;
  /** When the entry expires (ms since the epoch); absent when it never does. */
  readonly expiresAt?: number | undefined;
  /** Tags the entry was stored with (see the freshness guide). */
  readonly tags?: readonly string[] | undefined;
}

/**
 * The small interface every persisted tier implements, keyed by the 32-hex persisted key. Each method may be
 * synchronous or return a promise; memoizers use synchronous answers on the synchronous path and only await
 * asynchronous ones for functions that return promises.
 *
 * @example
 * ```ts
 * const map = new Map<string, StoredEntry>();
 * const store: Store = {
 *   get: (key) => map.get(key),
 *   set: (key, entry) => { map.set(key, entry); },
 *   delete: (key) => map.delete(key),
 *   clear: () => map.clear(),
 * };
 * ```
 */
export interface Store<V = StoredEntry> {
  /** The entry stored under `key`, or `undefined`. Damaged data must read as `undefined`, never throw. */
  get(key: string): MaybePromise<V | undefined>;
  /** Stores `value` under `key`, replacing any previous value. */
  set(key: string, value: V): MaybePromise<void>;
  /** Removes `key`; answers whether something was removed. */
  delete(key: string): MaybePromise<boolean>;
  /** Removes every entry of this store. */
  clear(): MaybePromise<void>;
}

/** Names of the tiers a hit can come from, as counted in `stats().hits`. */
export type TierName = 'memory' | 'preload' | 'disk' | 'remote';

/** A persisted tier as a memoizer consults it: a name for stats and a {@link Store}. */
export interface PersistedTier {
  readonly name: Exclude<TierName, 'memory'>;
  readonly store: Store;
  /** Read-only tiers (a preloaded dump) are never written to. */
  readonly readOnly?: boolean;
}

/** Where a remote single-flight value came from (see `memotape/redis`). */
export type RemoteSource = 'hit' | 'waited' | 'computed' | 'local';

/**
 * A shared remote tier (the `RedisStore` of `memotape/redis` implements it). Only functions that return promises use
 * it: a miss goes through `singleFlight`, so concurrent identical calls in every process compute once.
 *
 * @example
 * ```ts
 * import { RedisStore } from 'memotape/redis';
 * const remote: RemoteStore = new RedisStore({ url: 'redis://127.0.0.1:6379' });
 * const memoizer = new Memoizer({ remote });
 * ```
 */
export interface RemoteStore {
  get(key: string): Promise<StoredEntry | undefined>;
  set(key: string, value: StoredEntry): Promise<void>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  /** The TTL (ms) the remote tier gives entries without `expiresAt`; local copies never outlive it. */
  readonly defaultTtl?: number | undefined;
  singleFlight<T>(
    key: string,
    request: {
      readonly namespace?: string | undefined;
      readonly run: () => T | PromiseLike<T>;
      readonly encode: (value: T) => StoredEntry;
      readonly decode: (entry: StoredEntry) => T;
    },
  ): Promise<{ readonly value: T; readonly source: RemoteSource; readonly entry: StoredEntry | undefined }>;
}
