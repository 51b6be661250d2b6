import path from 'node:path';
import { getSettings } from './config.js';
import type { FreshScope } from './freshness/fresh-scopes.js';
import { warn } from './internal/warn.js';
import { internals, Memoizer, type MemoizerStats } from './memoizer.js';
import {
  type MemoizerOptions,
  validateBooleanOption,
  validateFolderName,
  validateMaxEntries,
  validatePathOption,
} from './options.js';
import { storeDirectory } from './stores/disk-layout.js';
import { DiskStore } from './stores/disk-store.js';
import type { PersistedTier } from './stores/store.js';

/**
 * Options of `new PersistentMemoizer()`: those of `Memoizer` (except `subKey`, which is the `subDir` here) plus where
 * and how entries are kept on disk. All optional.
 *
 * @example
 * ```ts
 * new PersistentMemoizer({ subDir: 'should-pad', ttl: 86_400_000, maxEntries: 10_000, maxDiskBytes: 200e6 });
 * ```
 */
export interface PersistentMemoizerOptions extends Omit<MemoizerOptions, 'subKey'> {
  /**
   * The folder of this memoizer's entries inside the cache dir (a single folder name), and its collection in the
   * exit dump. An empty string is the same as none.
   * @default undefined (the `_default` folder and the `"null"` collection)
   */
  readonly subDir?: string | undefined;
  /**
   * Where memotape keeps its files; entries go to `<cacheDir>/disk-v1/<subDir>/`.
   * @default the `cacheDir` setting (`MEMOTAPE_CACHE_DIR`, else the user cache dir, e.g. `~/.cache/memotape`)
   */
  readonly cacheDir?: string | undefined;
  /**
   * The most bytes of entry files in this memoizer's folder. When a write goes over it, the least recently used
   * entries are removed until the folder is at 90% of it. Enforced per process, so several writers can briefly
   * exceed it (see docs/persistence.md).
   * @default Infinity
   */
  readonly maxDiskBytes?: number | undefined;
  /**
   * fsync every entry file and its folder before the call returns, so written entries survive a power loss or OS
   * crash. Without it, entries survive any process crash (writes are atomic either way) but a power loss may lose the
   * last ones.
   * @default false
   */
  readonly durable?: boolean | undefined;
}

/**
 * The disk side of `PersistentMemoizer.stats()`.
 *
 * @example
 * ```ts
 * const { bytes, entries } = persistent.stats().disk;
 * ```
 */
export interface DiskTierStats {
  /** The folder of this memoizer's entries. */
  readonly directory: string;
  /** Entry files in the folder: listed once (at the first `stats()`, `prune()` or limited write), then tracked. */
  readonly entries: number;
  /** Their total size in bytes, counted the same way. */
  readonly bytes: number;
  /** Entries written to disk. */
  readonly writes: number;
  /** Writes that failed (counted in `errors` too). */
  readonly failedWrites: number;
  /** Entries removed by `maxDiskBytes` (counted in `evictions` too). */
  readonly evictions: number;
  /** Expired entries removed from disk (counted in `expirations` too). */
  readonly expirations: number;
  /** Damaged entries removed or set aside (counted in `errors` too). */
  readonly damaged: number;
  /** Stale temp files left by killed processes and removed. */
  readonly tempFilesRemoved: number;
}

/**
 * Hit, miss and write counts of a {@link PersistentMemoizer}: the Memoizer's, with disk evictions, expirations,
 * damaged entries and read errors folded into the totals, and a `disk` section.
 *
 * @example
 * ```ts
 * const { hits, misses, disk } = persistent.stats();
 * console.log(hits.memory, hits.disk, misses, disk.bytes);
 * ```
 */
export interface PersistentMemoizerStats extends MemoizerStats {
  readonly disk: DiskTierStats;
}

const PERSISTENT_OPTION_NAMES: ReadonlySet<string> = new Set(['subDir', 'cacheDir', 'maxDiskBytes', 'durable']);

/** Checks the options only a PersistentMemoizer takes (the Memoizer checks the rest) and names its collection. */
function toMemoizerOptions(options: PersistentMemoizerOptions): MemoizerOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
  if (Object.hasOwn(options, 'subKey')) {
    throw new TypeError('Unknown option `subKey` passed to PersistentMemoizer: its collection is named by `subDir`');
  }
  const subDir = options.subDir === '' ? undefined : options.subDir;
  validateFolderName(subDir, 'subDir');
  validatePathOption(options.cacheDir, 'cacheDir');
  validateMaxEntries(options.maxDiskBytes, 'maxDiskBytes');
  validateBooleanOption(options.durable, 'durable');
  return { ...options, subKey: subDir };
}

/**
 * A memoizer that keeps results across process restarts: `record` writes to memory and to disk, `replay` looks in
 * memory, then on disk (filling memory from a disk hit), and `memoize` replays or else records. Several processes
 * can share one cache dir. Persisted entries need a stable namespace, so wrapping an anonymous function (without a
 * `name` option) or two functions with the same name throws `NamespaceError`.
 *
 * Disk reads and writes are synchronous: a disk hit costs about one small file read, and a result is on disk when
 * the call that recorded it returns (for a promise, when it settles; rejections are never stored).
 *
 * @example
 * ```ts
 * import { PersistentMemoizer } from 'memotape';
 * const disk = new PersistentMemoizer({ subDir: 'should-pad' });
 * const shouldPadFast = disk.memoize({ name: 'shouldPad' })(shouldPad);
 * shouldPadFast(128, 64); // runs shouldPad, writes <cacheDir>/disk-v1/should-pad/xx/<key>.json
 * // ...in another process, later:
 * shouldPadFast(128, 64); // read from disk, then from memory
 * disk.stats();           // { hits: { memory, disk, ... }, misses, writes, evictions, errors, disk: { ... } }
 * ```
 */
export class PersistentMemoizer extends Memoizer {
  /** The `subDir` given at construction (`undefined` for none). */
  readonly subDir: string | undefined;
  /** The folder of this memoizer's entries: `<cacheDir>/disk-v1/<subDir or _default>`. */
  readonly directory: string;
  readonly #disk: DiskStore;

  constructor(options: PersistentMemoizerOptions = {}) {
    const memoizerOptions = toMemoizerOptions(options);
    super(memoizerOptions);
    this.subDir = memoizerOptions.subKey;
    const cacheDir = path.resolve(options.cacheDir ?? getSettings().cacheDir);
    const hooks = this[internals];
    this.#disk = new DiskStore({
      directory: storeDirectory(cacheDir, this.subDir),
      durable: options.durable,
      maxBytes: options.maxDiskBytes,
      clock: hooks.clock,
    });
    this.directory = this.#disk.directory;
    // Added before anything is wrapped: from now on wrapping requires a stable, unique persisted namespace.
    hooks.addTier({ name: 'disk', store: this.#disk });
    if (getSettings().enabled) this.#disk.sweepIfDue();
  }

  /** @internal */
  protected override extraOptionNames(): ReadonlySet<string> {
    return PERSISTENT_OPTION_NAMES;
  }

  /** @internal Inside `withFreshCache`, the disk tier is a folder of the same name under the scope's temp dir. */
  protected override freshTier(tier: PersistedTier, scope: FreshScope): PersistedTier | undefined {
    if (tier.name !== 'disk' || tier.store !== this.#disk) return super.freshTier(tier, scope);
    const store = new DiskStore({
      directory: storeDirectory(scope.cacheDir(), this.subDir),
      maxBytes: this.#disk.maxBytes,
      clock: this[internals].clock,
    });
    return { name: 'disk', store };
  }

  /** The disk store in use: this memoizer's folder, or inside `withFreshCache` its stand-in under a temp dir. */
  #activeDisk(): DiskStore {
    for (const tier of this[internals].tiers) {
      if (tier.name === 'disk' && tier.store instanceof DiskStore) return tier.store;
    }
    return this.#disk;
  }

  /**
   * Removes every entry from memory and this memoizer's folder on disk (other `subDir`s are left alone). Calling it
   * twice is harmless; a folder that cannot be removed gives one warning, never an error.
   *
   * @example
   * ```ts
   * afterEach(() => persistent.cacheClear());
   * ```
   */
  override cacheClear(): void {
    super.cacheClear();
    const disk = this.#activeDisk();
    try {
      disk.clear();
    } catch (error) {
      this[internals].counters.errors++;
      warn(
        'MEMOTAPE_DISK_CLEAR_FAILED',
        `could not clear ${disk.directory}: ${(error as Error).message}`,
        `disk-clear:${disk.directory}`,
      );
    }
  }

  /**
   * Removes expired entries from memory and disk, damaged entries and stale temp files from disk, then enforces
   * `maxDiskBytes`. Reads every entry file, so run it now and then (a timer, a CLI), not per call. Answers how many
   * entries were removed.
   *
   * @example
   * ```ts
   * setInterval(() => persistent.prune(), 3_600_000).unref();
   * ```
   */
  override prune(): number {
    const removed = super.prune();
    const disk = this.#activeDisk().prune();
    return removed + disk.expired + disk.damaged + disk.evicted;
  }

  /**
   * Hit, miss, write, eviction and error counts since the memoizer was created, with the disk folder's size. The
   * first call lists the folder once to count its bytes and entries.
   *
   * @example
   * ```ts
   * const { hits, disk } = persistent.stats();
   * console.log(`${hits.disk} disk hits, ${disk.bytes} bytes in ${disk.directory}`);
   * ```
   */
  override stats(): PersistentMemoizerStats {
    const base = super.stats();
    const store = this.#activeDisk();
    const disk = store.stats();
    const usage = store.usage();
    return {
      ...base,
      evictions: base.evictions + disk.evictions,
      expirations: base.expirations + disk.expirations,
      errors: base.errors + disk.errors + disk.damaged,
      disk: {
        directory: store.directory,
        entries: usage.entries,
        bytes: usage.bytes,
        writes: disk.writes,
        failedWrites: disk.failedWrites,
        evictions: disk.evictions,
        expirations: disk.expirations,
        damaged: disk.damaged,
        tempFilesRemoved: disk.tempFilesRemoved,
      },
    };
  }
}
