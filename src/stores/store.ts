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
  /**
   * When the entry turns stale (ms since the epoch): with `staleWhileRevalidate`, it is served and refreshed from
   * then until `expiresAt`. Absent otherwise.
   */
  readonly staleAt?: number | undefined;
  /** Tags the entry was stored with (see docs/freshness.md). */
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
  /**
   * Removes every entry stored with one of `tags`; answers how many. Optional: a tier whose store lacks it keeps its
   * tagged entries on `invalidateTags` (with one warning).
   */
  deleteTagged?(tags: readonly string[]): MaybePromise<number>;
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
  /** Removes `key`; a store that tells other processes about it passes `origin` along (see `onInvalidation`). */
  delete(key: string, options?: InvalidationOptions): Promise<boolean>;
  clear(): Promise<void>;
  /** The TTL (ms) the remote tier gives entries without `expiresAt`; local copies never outlive it. */
  readonly defaultTtl?: number | undefined;
  /** `encode` may answer `undefined`: the value is returned but not stored. */
  singleFlight<T>(
    key: string,
    request: RemoteRequest<T>,
  ): Promise<{ readonly value: T; readonly source: RemoteSource; readonly entry: StoredEntry | undefined }>;
  /**
   * Makes every entry stored with one of `tags` a miss, in every process that shares the tier. Optional: without it,
   * `invalidateTags` reaches the local tiers only. Never rejects.
   */
  invalidateTags?(tags: readonly string[], options?: InvalidationOptions): Promise<void>;
  /**
   * Calls `listener` when keys or tags are invalidated through the tier by any process (memoizers drop their local
   * copies). Optional, and best effort. Answers the function that stops listening.
   */
  onInvalidation?(listener: (invalidation: RemoteInvalidation) => void): () => void;
  /**
   * Refreshes `key` in the background (`staleWhileRevalidate`), at most once at a time across every process: answers
   * `undefined` when another process is refreshing it, else the value (`hit` when a fresh entry was there already).
   * Optional: without it, each process refreshes on its own. Rejects only with what `run` throws.
   */
  refresh?<T>(
    key: string,
    request: RemoteRequest<T>,
  ): Promise<{ readonly value: T; readonly source: RemoteSource; readonly entry: StoredEntry | undefined } | undefined>;
  /**
   * The tier's failure counts since it was created (failures it handled without failing a call), which memoizers
   * report as `stats().remote`. Optional: without it, `stats().remote` is `undefined`.
   */
  stats?(): { readonly errors: number; readonly timeouts: number; readonly skipped?: number | undefined };
}

/**
 * Options of {@link RemoteStore.delete} and {@link RemoteStore.invalidateTags}.
 *
 * @example
 * ```ts
 * await remote.invalidateTags(['user:1'], { origin: 'memoizer-7' });
 * ```
 */
export interface InvalidationOptions {
  /** Who invalidates: passed to listeners, so the one that made the change can ignore its own message. */
  readonly origin?: string | undefined;
}

/**
 * Keys or tags invalidated through a {@link RemoteStore}, as its `onInvalidation` listeners hear about it.
 *
 * @example
 * ```ts
 * remote.onInvalidation?.(({ tags, keys }) => console.log('invalidated', tags ?? keys));
 * ```
 */
export interface RemoteInvalidation {
  /** The `origin` given by whoever invalidated, if any. */
  readonly origin?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  /** 32-hex persisted keys. */
  readonly keys?: readonly string[] | undefined;
}

/**
 * A computation handed to a {@link RemoteStore}: how to run it, and how to turn its value into an entry and back.
 *
 * @example
 * ```ts
 * const request: RemoteRequest<number> = { run: () => 42, encode: (value) => entryOf(value), decode: (entry) => entry.result as number };
 * ```
 */
export interface RemoteRequest<T> {
  /** The namespace the key belongs to: a stored entry of another namespace reads as a miss. @default any */
  readonly namespace?: string | undefined;
  readonly run: () => T | PromiseLike<T>;
  /** Turns a computed value into the entry to store; `undefined` means it must not be stored. */
  readonly encode: (value: T) => StoredEntry | undefined;
  readonly decode: (entry: StoredEntry) => T;
  /**
   * For `refresh`: whether an entry found there still needs refreshing (the memoizer asks its own clock).
   * @default `entry.staleAt` has passed by `Date.now()`
   */
  readonly stale?: ((entry: StoredEntry) => boolean) | undefined;
}
