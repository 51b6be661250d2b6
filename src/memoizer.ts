import { decodeTagged, encodeTagged, type Json } from './codec.js';
import { getSettings } from './config.js';
import { attachDumpLayer } from './dump/dump-layer.js';
import { CacheMissError } from './errors.js';
import { warn } from './internal/warn.js';
import { canonicalFromMemoryKey, persistedKey } from './key.js';
import { createCounters, type MemoryEntry, MemoryTier, type Namespace, type TierCounters } from './memory-tier.js';
import { resolveNamespace } from './namespace-registry.js';
import {
  type AnyFunction,
  type DecoratorOptions,
  type MemoizerOptions,
  validateFunctionOption,
  validateMaxEntries,
  validateStringOption,
  validateTtl,
  type WrapOptions,
} from './options.js';
import { registerMemoizer } from './registry.js';
import { type RemoteHost, validateRemote } from './remote-call.js';
import type { PersistedTier, RemoteStore, StoredEntry } from './stores/store.js';
import { TieredStore } from './stores/tiered-store.js';
import { copyFunctionIdentity, createWrapper, describeKey, type WrapperHost, type WrapperKind } from './wrap.js';
import { createWrapOrDecorator, type Wrap } from './wrap-or-decorate.js';

/**
 * Hit, miss and write counts of one memoizer, from `stats()`.
 *
 * @example
 * ```ts
 * const { hits, misses } = memoizer.stats();
 * console.log(hits.memory / (hits.memory + misses));
 * ```
 */
export interface MemoizerStats {
  /** Hits per tier: memory, a preloaded dump, disk, a remote tier. */
  readonly hits: { readonly memory: number; readonly preload: number; readonly disk: number; readonly remote: number };
  /** Calls that found nothing and ran (or, for `replay`, threw). */
  readonly misses: number;
  /** Entries stored. */
  readonly writes: number;
  /** Entries evicted by `maxEntries` (and, on disk, `maxDiskBytes`). */
  readonly evictions: number;
  /** Entries removed because their TTL passed. */
  readonly expirations: number;
  /** Problems handled without failing a call (a persisted tier that failed, an unstorable result). */
  readonly errors: number;
  /** Entries held in memory now. */
  readonly size: number;
}

/** One entry as the dump file and persisted tiers see it, with its collection and 32-hex key. */
export interface ExportedEntry {
  readonly key: string;
  readonly entry: StoredEntry;
}

const OPTION_NAMES = new Set(['subKey', 'preloadFrom', 'ttl', 'maxEntries', 'clock', 'remote']);

/** A new memory entry; one object literal, so every entry has the same shape. */
function createEntry(
  namespace: Namespace,
  key: unknown,
  params: unknown,
  result: unknown,
  isPromise: boolean,
  createdAt: number,
  expiresAt: number | undefined,
  tags: readonly string[] | undefined,
): MemoryEntry {
  return {
    namespace,
    key,
    params,
    result,
    isPromise,
    promise: undefined,
    createdAt,
    expiresAt: expiresAt ?? Number.POSITIVE_INFINITY,
    tags,
    previous: undefined,
    next: undefined,
  };
}

/** @internal The memoizer internals the dump, persistence, decorator and fixture layers build on. */
export const internals = Symbol('memotape.internals');

/**
 * An in-memory memoizer: `record` stores what a function returns, `replay` returns what was stored without
 * calling it, and `memoize` replays or else records. Entries are keyed by a canonical encoding of the arguments
 * within a namespace per function.
 *
 * @example
 * ```ts
 * import { Memoizer } from 'memotape';
 * const memoizer = new Memoizer({ subKey: 'pad-mm' });
 * const fast = memoizer.memoize()(slow);
 * fast(1); // runs slow(1)
 * fast(1); // replays the stored result
 * ```
 */
export class Memoizer {
  /** The collection name in the dump file: the `subKey`, or `"null"` when there is none. */
  readonly collection: string;
  /** The `subKey` given at construction, if any. */
  readonly subKey: string | undefined;
  readonly #memory: MemoryTier;
  readonly #counters: TierCounters = createCounters();
  readonly #ttl: number | undefined;
  readonly #clock: () => number;
  readonly #tiers: PersistedTier[] = [];
  /** Reads through `#tiers` in order (filling the writable tiers above a hit) and writes to the writable ones. */
  readonly #tiered = new TieredStore<PersistedTier>(this.#tiers, {
    onError: (tier, error) => this.#tierFailed(tier.name, error),
  });
  readonly #namespaces = { byName: new Map<string, Namespace>(), byFunction: new WeakMap<Function, Namespace>() };
  readonly #host: WrapperHost;
  /** The shared remote tier (`remote` option), consulted only by functions that return promises. */
  readonly #remote: RemoteStore | undefined;

  constructor(options: MemoizerOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
    for (const name of Object.keys(options)) {
      if (!OPTION_NAMES.has(name) && !this.extraOptionNames().has(name)) {
        throw new TypeError(`Unknown option \`${name}\` passed to ${new.target.name}`);
      }
    }
    validateStringOption(options.subKey, 'subKey');
    validateStringOption(options.preloadFrom, 'preloadFrom');
    validateFunctionOption(options.clock, 'clock');
    this.#ttl = validateTtl(options.ttl, 'ttl');
    this.#clock = options.clock ?? Date.now;
    this.subKey = options.subKey;
    this.collection = options.subKey ?? 'null';
    this.#memory = new MemoryTier(validateMaxEntries(options.maxEntries, 'maxEntries'), this.#clock, this.#counters);
    this.#remote = validateRemote(options.remote);
    this.#host = {
      remote: this.#remote === undefined ? undefined : this.#remoteHost(this.#remote),
      memory: this.#memory,
      hasPersistedTiers: () => this.#tiers.length > 0,
      lookupPersisted: (namespace, key, params) => this.#lookupPersisted(namespace, key, params),
      store: (namespace, key, params, encoded, isPromise, ttl) =>
        this.#store(namespace, key, params, encoded, isPromise, ttl),
    };
    const preloadFrom = options.preloadFrom ?? getSettings().preloadFrom;
    registerMemoizer(this, preloadFrom);
    // Dump layer hooks (see src/dump/): preload this collection now, and join the exit dump when it is on.
    if (this.joinsDumpLayer()) attachDumpLayer(this, this.collection, this[internals], preloadFrom);
  }

  /**
   * @internal Whether this memoizer preloads from `preloadFrom` and joins the exit dump. Fixture tapes
   * (`memotape/testing`) answer false: they read and write their own file only.
   */
  protected joinsDumpLayer(): boolean {
    return true;
  }

  /** @internal Option names a subclass accepts on top of the Memoizer's. */
  protected extraOptionNames(): ReadonlySet<string> {
    return new Set();
  }

  /** @internal Whether wrapping requires a stable persisted namespace (true once a disk or remote tier exists). */
  protected requiresPersistedNamespace(): boolean {
    return this.#remote !== undefined || this.#tiers.some((tier) => !tier.readOnly);
  }

  /**
   * Wraps a function so every call runs it and stores `{ params, result }`; a later record of the same call
   * replaces the entry. Returns the function itself when caching is disabled.
   *
   * @example
   * ```ts
   * const recorded = memoizer.record({ name: 'fetchUser' })(fetchUser);
   * await recorded(1); // always calls fetchUser
   * class Api { @memoizer.record() fetchNow(id: string) { ... } } // also a method decorator (docs/decorators.md)
   * ```
   */
  record<A extends unknown[] = any[], R = unknown, E = unknown>(
    options: WrapOptions<A, R, E> & DecoratorOptions = {},
  ): Wrap {
    return this.wrapWith('record', options as WrapOptions);
  }

  /**
   * Wraps a function so calls return the stored result and never run it; a miss returns the interim result of a
   * pending `DeferredRecording`, else throws {@link CacheMissError}. Always throws when caching is disabled.
   *
   * @example
   * ```ts
   * const replayed = memoizer.replay({ name: 'fetchUser' })(fetchUser);
   * await replayed(1); // the recorded user, or CacheMissError
   * class Api { @memoizer.replay() replayed(id: string) { ... } } // also a method decorator
   * ```
   */
  replay<A extends unknown[] = any[], R = unknown, E = unknown>(
    options: WrapOptions<A, R, E> & DecoratorOptions = {},
  ): Wrap {
    return this.wrapWith('replay', options as WrapOptions);
  }

  /**
   * Wraps a function so calls replay a stored result, or else run it and record the result. Concurrent calls of
   * an async function share one in-flight promise; rejections and thrown errors are never stored.
   *
   * @example
   * ```ts
   * const fast = memoizer.memoize({ name: 'slow' })(slow);
   * class Geometry { @memoizer.memoize() area(w: number, h: number) { ... } } // per instance
   * ```
   */
  memoize<A extends unknown[] = any[], R = unknown, E = unknown>(
    options: WrapOptions<A, R, E> & DecoratorOptions = {},
  ): Wrap {
    return this.wrapWith('memoize', options as WrapOptions);
  }

  /**
   * @internal Creates the wrapper-or-decorator of one kind (options are checked here, at once); subclasses build
   * on it.
   */
  protected wrapWith(kind: WrapperKind, options: WrapOptions & DecoratorOptions): Wrap {
    return createWrapOrDecorator(this, kind, options, {
      memory: this.#memory,
      extraOptionNames: this.extraWrapOptionNames(),
      requiresPersistedNamespace: () => this.requiresPersistedNamespace(),
    });
  }

  /** @internal Wrap option names a subclass or layer accepts on top of the core ones. */
  protected extraWrapOptionNames(): ReadonlySet<string> {
    return new Set();
  }

  /** @internal Wraps `fn` in the namespace its options choose (or `namespace`, for per-instance decorators). */
  wrapFunction(kind: WrapperKind, fn: AnyFunction, options: WrapOptions, namespace?: Namespace): AnyFunction {
    if (!getSettings().enabled) {
      if (kind !== 'replay') return fn;
      const collection = this.collection;
      return copyFunctionIdentity(function disabled() {
        throw new CacheMissError(options.name ?? (fn.name || '<anonymous>'), `<caching disabled in ${collection}>`);
      }, fn);
    }
    const resolved =
      namespace ??
      resolveNamespace(this.#namespaces, this.collection, fn, options.name, this.requiresPersistedNamespace());
    this.#memory.addNamespace(resolved);
    return createWrapper(this.#host, {
      kind,
      fn,
      namespace: resolved,
      paramsEncoder: options.paramsEncoder,
      resultEncoder: options.resultEncoder,
      resultDecoder: options.resultDecoder,
      ttl: options.ttl ?? this.#ttl,
    });
  }

  /**
   * Removes every entry from memory, including entries preloaded from a dump file (persistent memoizers also clear
   * their own disk folder). Calling it twice is harmless. Calls already in flight still deliver their result to
   * their callers.
   *
   * @example
   * ```ts
   * afterEach(() => memoizer.cacheClear());
   * ```
   */
  cacheClear(): void {
    this.#memory.clear();
    // Preloaded entries belong to this memoizer's cache as in the seed: clearing forgets them too. The preload store
    // forgets them for this memoizer only; the file itself is never touched.
    for (const tier of this.#tiers) if (tier.name === 'preload') void tier.store.clear();
  }

  /**
   * Removes expired entries now (they are otherwise removed when next looked up). Answers how many were removed.
   *
   * @example
   * ```ts
   * setInterval(() => memoizer.prune(), 60_000).unref();
   * ```
   */
  prune(): number {
    return this.#memory.pruneExpired();
  }

  /**
   * Hit, miss, write, eviction and error counts since the memoizer was created.
   *
   * @example
   * ```ts
   * console.table(memoizer.stats().hits);
   * ```
   */
  stats(): MemoizerStats {
    const counters = this.#counters;
    return {
      hits: { ...counters.hits },
      misses: counters.misses,
      writes: counters.writes,
      evictions: counters.evictions,
      expirations: counters.expirations,
      errors: counters.errors,
      size: this.#memory.size,
    };
  }

  /** @internal Access for the dump, persistence, decorator and fixture layers. */
  get [internals]() {
    return {
      memory: this.#memory,
      counters: this.#counters,
      clock: this.#clock,
      tiers: this.#tiers,
      addTier: (tier: PersistedTier) => {
        this.#tiers.push(tier);
      },
      exportEntries: () => this.#exportEntries(),
      toStoredEntry: (entry: MemoryEntry) => this.#toStoredEntry(entry),
    };
  }

  #store(
    namespace: Namespace,
    key: unknown,
    params: unknown,
    encoded: unknown,
    isPromise: boolean,
    ttl: number | undefined,
    skipRemote = false,
  ): void {
    if (ttl === 0) return;
    const now = this.#clock();
    const entry = createEntry(
      namespace,
      key,
      params,
      encoded,
      isPromise,
      now,
      ttl === undefined ? undefined : now + ttl,
      undefined,
    );
    this.#memory.insert(entry);
    this.#counters.writes++;
    if (this.#tiers.length > 0 || (this.#remote !== undefined && isPromise && !skipRemote)) {
      this.#writeThrough(entry, skipRemote);
    }
  }

  #writeThrough(entry: MemoryEntry, skipRemote: boolean): void {
    const { namespace } = entry;
    if (namespace.persistName === undefined || namespace.conflict !== undefined) return;
    let stored: ExportedEntry;
    try {
      stored = this.#toStoredEntry(entry);
    } catch (error) {
      this.#counters.errors++;
      warn(
        'MEMOTAPE_UNSTORABLE_RESULT',
        `${namespace.displayName}: result kept in memory only: ${(error as Error).message}`,
        `unstorable:${namespace.displayName}`,
      );
      return;
    }
    // Each failing tier is reported through `#tierFailed`; asynchronous writes are not waited for.
    this.#tiered.set(stored.key, stored.entry);
    // Only results of async functions go remote: a synchronous caller could never wait for them to come back.
    if (this.#remote !== undefined && entry.isPromise && !skipRemote) {
      this.#remote.set(stored.key, stored.entry).catch((error: unknown) => this.#tierFailed('remote', error));
    }
  }

  /** The remote path's view of this memoizer (see src/remote-call.ts). */
  #remoteHost(remote: RemoteStore): RemoteHost {
    return {
      remote,
      toStored: (namespace, params, encoded, ttl) => {
        const now = this.#clock();
        const expiresAt = ttl === undefined ? undefined : now + ttl;
        return this.#toStoredEntry(createEntry(namespace, undefined, params, encoded, true, now, expiresAt, undefined))
          .entry;
      },
      storeLocally: (namespace, key, params, encoded, ttl) => {
        this.#counters.misses++;
        this.#store(namespace, key, params, encoded, true, ttl, true);
      },
      fillFromRemote: (namespace, key, params, stored, encoded) => {
        // A local copy never outlives the remote entry: without its own expiry it lives as long as the remote TTL.
        const expiresAt =
          stored.expiresAt ?? (remote.defaultTtl === undefined ? undefined : stored.createdAt + remote.defaultTtl);
        const entry = this.#insertStored(namespace, key, params, { ...stored, expiresAt }, encoded);
        this.#counters.hits.remote++;
        if (namespace.persistName !== undefined)
          this.#tiered.set(describeKey(namespace, key), this.#toStoredEntry(entry).entry);
      },
    };
  }

  #tierFailed(tierName: string, error: unknown): void {
    this.#counters.errors++;
    warn(
      'MEMOTAPE_TIER_FAILED',
      `the ${tierName} tier failed; results stay in memory: ${(error as Error)?.message ?? String(error)}`,
      `tier:${tierName}`,
    );
  }

  #lookupPersisted(namespace: Namespace, key: unknown, params: unknown): MemoryEntry | undefined {
    if (namespace.persistName === undefined || namespace.conflict !== undefined) return undefined;
    const hexKey = persistedKey(namespace.persistName, canonicalFromMemoryKey(key));
    const now = this.#clock();
    let result: unknown;
    // A synchronous call cannot wait for an asynchronous tier: lookupSync counts its answer as a miss here.
    const hit = this.#tiered.lookupSync(hexKey, (stored, tier) => {
      if (stored.namespace !== namespace.persistName) return false;
      if (stored.expiresAt !== undefined && stored.expiresAt <= now) return false;
      try {
        result = decodeTagged(stored.result);
        return true;
      } catch (error) {
        this.#tierFailed(tier.name, error);
        return false;
      }
    });
    if (hit === undefined) return undefined;
    const entry = this.#insertStored(namespace, key, params, hit.value, result);
    this.#counters.hits[hit.tier.name]++;
    return entry;
  }

  /** Puts a persisted entry (already decoded to `result`) into memory. */
  #insertStored(
    namespace: Namespace,
    key: unknown,
    params: unknown,
    stored: StoredEntry,
    result: unknown,
  ): MemoryEntry {
    const entry = createEntry(
      namespace,
      key,
      params,
      result,
      stored.promise,
      stored.createdAt,
      stored.expiresAt,
      stored.tags,
    );
    this.#memory.insert(entry);
    return entry;
  }

  #toStoredEntry(entry: MemoryEntry): ExportedEntry {
    const namespace = entry.namespace;
    const persistName = namespace.persistName ?? namespace.displayName;
    const stored: StoredEntry = {
      namespace: persistName,
      params: encodeTagged(entry.params, 'params') as Json,
      result: encodeTagged(entry.result, 'result') as Json,
      promise: entry.isPromise,
      createdAt: entry.createdAt,
      ...(entry.expiresAt === Number.POSITIVE_INFINITY ? {} : { expiresAt: entry.expiresAt }),
      ...(entry.tags === undefined ? {} : { tags: entry.tags }),
    };
    return { key: describeKey(namespace, entry.key), entry: stored };
  }

  *#exportEntries(): IterableIterator<ExportedEntry> {
    const now = this.#clock();
    for (const entry of this.#memory.entries()) {
      const { namespace } = entry;
      if (entry.expiresAt <= now) continue;
      if (namespace.persistName === undefined || namespace.conflict !== undefined) {
        warn(
          'MEMOTAPE_NAMESPACE_LEFT_OUT',
          `entries of ${namespace.displayName} were left out of the dump: ${namespace.conflict ?? 'it has no stable name; give it a `name` option'}.`,
          `left-out:${this.collection}:${namespace.displayName}`,
        );
        continue;
      }
      try {
        yield this.#toStoredEntry(entry);
      } catch (error) {
        this.#counters.errors++;
        warn(
          'MEMOTAPE_UNSTORABLE_RESULT',
          `an entry of ${namespace.displayName} was left out of the dump: ${(error as Error).message}`,
          `unstorable-dump:${namespace.displayName}`,
        );
      }
    }
  }
}
