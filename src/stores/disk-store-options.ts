// The option and result types of the disk store, apart from its code.

/**
 * Options of `DiskStore`.
 *
 * @example
 * ```ts
 * const store = new DiskStore({ directory: '/var/cache/app/disk-v1/reports', maxBytes: 500e6, durable: true });
 * ```
 */
export interface DiskStoreOptions {
  /** The folder that holds the entries, as `<2 hex>/<32 hex>.json`. Created at the first write. */
  readonly directory: string;
  /**
   * fsync each entry file and its folder before `set` returns, so a written entry survives a power loss. Without it
   * writes are still atomic (a reader sees the old entry or the new one, never a mix), but not durable.
   * @default false
   */
  readonly durable?: boolean | undefined;
  /**
   * The most bytes of entry files; when a write goes over it, the least recently used entries are removed until the
   * folder is at 90% of it.
   * @default Infinity
   */
  readonly maxBytes?: number | undefined;
  /**
   * The clock for expiry and last-used times, in ms since the epoch.
   * @default Date.now
   */
  readonly clock?: (() => number) | undefined;
  /**
   * How old (by `clock`) a file's last-used time must be before a read moves it forward. Moving it costs a system
   * call, so reads within this interval of each other are not told apart by eviction.
   * @default 60_000
   */
  readonly touchInterval?: number | undefined;
  /**
   * How old (real time, ms) a temp file must be before a sweep treats it as left behind by a killed writer.
   * @default 600_000
   */
  readonly staleTempAge?: number | undefined;
}

/**
 * What a `DiskStore` did since it was created.
 *
 * @example
 * ```ts
 * const { damaged, evictions } = store.stats();
 * ```
 */
export interface DiskStoreStats {
  /** Intact, unexpired entries returned by `get`. */
  readonly hits: number;
  /** `get` calls that found no usable entry (missing, expired or damaged). */
  readonly misses: number;
  /** Entries written. */
  readonly writes: number;
  /** Writes that failed (the error was thrown to the caller of `set`). */
  readonly failedWrites: number;
  /** Entries removed to stay under `maxBytes` (plus entries too big to keep at all). */
  readonly evictions: number;
  /** Expired entries removed. */
  readonly expirations: number;
  /** Damaged entries removed or set aside. */
  readonly damaged: number;
  /** Other problems handled without failing a call: an unreadable file, a clean-up that failed. */
  readonly errors: number;
  /** Stale temp files (and cleared folders) removed. */
  readonly tempFilesRemoved: number;
}

/**
 * What `DiskStore.prune()` removed.
 *
 * @example
 * ```ts
 * const { expired, evicted } = store.prune();
 * ```
 */
export interface DiskPruneResult {
  readonly expired: number;
  readonly damaged: number;
  readonly evicted: number;
  readonly tempFilesRemoved: number;
}
