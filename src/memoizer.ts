import { getSettings } from './config.js';
import { attachDumpLayer } from './dump/dump-layer.js';
import { CacheMissError } from './errors.js';
import { FreshCacheState } from './freshness/fresh-cache-state.js';
import { type FreshScope, freshScopes } from './freshness/fresh-scopes.js';
import { ReadOnlyInvalidations } from './freshness/invalidation.js';
import { withoutCache } from './freshness/memoized.js';
import { type InvalidationContext, invalidateTagged } from './freshness/memoizer-invalidation.js';
import { RemoteCopies } from './freshness/remote-copies.js';
import { TagEpochs } from './freshness/tag-epochs.js';
import { normalizeTags, validateTtlOption } from './freshness/ttl-policy.js';
import { warn } from './internal/warn.js';
import { type MemoizerStats, memoizerStats } from './memoizer-stats.js';
import { createCounters, type MemoryEntry, MemoryTier, type Namespace, type TierCounters } from './memory-tier.js';
import { resolveNamespace } from './namespace-registry.js';
import {
  type AnyFunction,
  type DecoratorOptions,
  type MemoizerOptions,
  validateFunctionOption,
  validateMaxEntries,
  validateOptionsObject,
  validatePathOption,
  validateStringOption,
  type WrapOptions,
} from './options.js';
import { PersistedLookup } from './persisted-lookup.js';
import { registerMemoizer } from './registry.js';
import { validateRemote } from './remote-call.js';
import { type ExportedEntry, exportEntries, toStoredEntry } from './stored-entry.js';
import type { PersistedTier, RemoteStore } from './stores/store.js';
import { TieredStore } from './stores/tiered-store.js';
import { copyFunctionIdentity, createWrapper, type WrapperHost, type WrapperKind } from './wrap.js';
import { createWrapOrDecorator, type Wrap } from './wrap-or-decorate.js';
import { createWrapperHost } from './wrapper-host.js';

export type { MemoizerStats } from './memoizer-stats.js';
export type { ExportedEntry } from './stored-entry.js';

const OPTION_NAMES = new Set(['subKey', 'preloadFrom', 'ttl', 'maxEntries', 'clock', 'remote']);

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
  readonly #ttl: MemoizerOptions['ttl'];
  readonly #clock: () => number;
  /** The persisted tiers in use: this memoizer's own, or inside a `withFreshCache` scope, their stand-ins. */
  readonly #tiers: PersistedTier[] = [];
  /** The `withFreshCache` side: memory set aside by open scopes, and which tiers are in use. */
  readonly #fresh: FreshCacheState;
  /** When each tag was last invalidated: a call in flight meanwhile must not store a result carrying it. */
  readonly #tagEpochs = new TagEpochs();
  /** Entries of read-only tiers (a preloaded dump) invalidated for this memoizer. */
  readonly #invalidatedReadOnly = new ReadOnlyInvalidations();
  /** Memory entries that are copies of remote ones, which invalidations published by other processes name. */
  readonly #remoteCopies: RemoteCopies;
  /** What `invalidate` and `invalidateTags` reach (see src/freshness/memoizer-invalidation.ts). */
  readonly #invalidation: InvalidationContext;
  /** Reads through `#tiers` in order (filling the writable tiers above a hit) and writes to the writable ones. */
  readonly #tiered = new TieredStore<PersistedTier>(this.#tiers, {
    onError: (tier, error) => this.#tierFailed(tier.name, error),
  });
  readonly #namespaces = { byName: new Map<string, Namespace>(), byFunction: new WeakMap<Function, Namespace>() };
  /** The wrappers' view of this memoizer (see src/wrapper-host.ts). */
  readonly #host: WrapperHost;
  /** Memory misses looked up in the synchronous persisted tiers (preload, disk). */
  readonly #persisted: PersistedLookup;
  /** The shared remote tier (`remote` option), consulted only by functions that return promises. */
  readonly #remote: RemoteStore | undefined;

  constructor(options: MemoizerOptions = {}) {
    validateOptionsObject(options, new Set([...OPTION_NAMES, ...this.extraOptionNames()]), new.target.name);
    validateStringOption(options.subKey, 'subKey');
    validatePathOption(options.preloadFrom, 'preloadFrom');
    validateFunctionOption(options.clock, 'clock');
    this.#ttl = validateTtlOption(options.ttl, 'ttl');
    this.#clock = options.clock ?? Date.now;
    this.subKey = options.subKey;
    this.collection = options.subKey ?? 'null';
    this.#memory = new MemoryTier(validateMaxEntries(options.maxEntries, 'maxEntries'), this.#clock, this.#counters);
    this.#fresh = new FreshCacheState(this.#memory, this.#tiers, (tier, scope) => this.freshTier(tier, scope));
    this.#remote = validateRemote(options.remote, this.collection);
    this.#remoteCopies = new RemoteCopies(this.#remote, {
      memory: this.#memory,
      counters: this.#counters,
      tagEpochs: this.#tagEpochs,
    });
    this.#invalidation = {
      memory: this.#memory,
      counters: this.#counters,
      tagEpochs: this.#tagEpochs,
      invalidatedReadOnly: this.#invalidatedReadOnly,
      tiers: this.#tiers,
      tiered: this.#tiered,
      inFreshScope: () => this.#fresh.scope !== undefined,
      activeRemote: () => this.#activeRemote(),
      origin: this.#remoteCopies.origin,
      tierFailed: (tierName, error) => this.#tierFailed(tierName, error),
    };
    this.#persisted = new PersistedLookup({
      memory: this.#memory,
      counters: this.#counters,
      clock: this.#clock,
      tiered: this.#tiered,
      invalidatedReadOnly: this.#invalidatedReadOnly,
      tierFailed: (tierName, error) => this.#tierFailed(tierName, error),
    });
    this.#host = createWrapperHost(this.#remote, {
      memory: this.#memory,
      counters: this.#counters,
      clock: this.#clock,
      tagEpochs: this.#tagEpochs,
      tiers: this.#tiers,
      tiered: this.#tiered,
      persisted: this.#persisted,
      remoteCopies: this.#remoteCopies,
      invalidation: this.#invalidation,
      activeRemote: () => this.#activeRemote(),
      tierFailed: (tierName, error) => this.#tierFailed(tierName, error),
    });
    const preloadFrom = options.preloadFrom ?? getSettings().preloadFrom;
    registerMemoizer(this, preloadFrom);
    // Dump layer hooks (see src/dump/): preload this collection now, and join the exit dump when it is on.
    if (this.joinsDumpLayer()) attachDumpLayer(this, this.collection, this[internals], preloadFrom);
    // Created inside `withFreshCache`: this memoizer joins the open scopes, as if it had existed before them.
    if (freshScopes().length > 0) this.#fresh.sync(this.joinsDumpLayer());
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
    // biome-ignore lint/complexity/noArguments: a legacy decorator passes three arguments; see receiverOf.
    return receiverOf(this, 'record', arguments.length).wrapWith('record', options as WrapOptions);
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
    // biome-ignore lint/complexity/noArguments: a legacy decorator passes three arguments; see receiverOf.
    return receiverOf(this, 'replay', arguments.length).wrapWith('replay', options as WrapOptions);
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
    // biome-ignore lint/complexity/noArguments: a legacy decorator passes three arguments; see receiverOf.
    return receiverOf(this, 'memoize', arguments.length).wrapWith('memoize', options as WrapOptions);
  }

  /**
   * @internal Creates the wrapper-or-decorator of one kind (options are checked here, at once); subclasses build
   * on it.
   */
  protected wrapWith(kind: WrapperKind, options: WrapOptions & DecoratorOptions): Wrap {
    const wrap = createWrapOrDecorator(this, kind, options, {
      memory: this.#memory,
      extraOptionNames: this.extraWrapOptionNames(),
      requiresPersistedNamespace: () => this.requiresPersistedNamespace(),
    });
    if (options.staleWhileRevalidate && (options.ttl ?? this.#ttl) === undefined) {
      throw new TypeError(
        'Expected a `ttl` with `staleWhileRevalidate`: the window starts when the TTL ends (give the wrapper or the memoizer a `ttl`)',
      );
    }
    return wrap;
  }

  /** @internal Wrap option names a subclass or layer accepts on top of the core ones. */
  protected extraWrapOptionNames(): ReadonlySet<string> {
    return new Set();
  }

  /** @internal Wraps `fn` in the namespace its options choose (or `namespace`, for per-instance decorators). */
  wrapFunction(kind: WrapperKind, fn: AnyFunction, options: WrapOptions, namespace?: Namespace): AnyFunction {
    if (!getSettings().enabled) {
      if (kind !== 'replay') return withoutCache(fn);
      const collection = this.collection;
      return withoutCache(
        copyFunctionIdentity(function disabled() {
          throw new CacheMissError(options.name ?? (fn.name || '<anonymous>'), `<caching disabled in ${collection}>`);
        }, fn),
      );
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
      policy: {
        ttl: options.ttl ?? this.#ttl,
        tags: options.tags,
        staleWhileRevalidate: options.staleWhileRevalidate,
      },
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
   * Removes every entry carrying one of `tags` (the `tags` option): from memory, from the preloaded dump (for this
   * memoizer), from this memoizer's disk folder, and, through per-tag versions, from a Redis tier for every process
   * that shares it. A call in flight whose result carries one of the tags still returns it, but does not store it.
   * Memory and disk are done when it returns; the promise settles once the remote tier is done too. Never rejects
   * for a tier that fails (one warning, and `stats().errors`); throws a TypeError for tags that are not strings.
   *
   * @example
   * ```ts
   * await repository.updateUser(123, changes);
   * await memoizer.invalidateTags(['user:123']); // getUser(123), getProfile(123), ...
   * ```
   */
  invalidateTags(tags: readonly string[]): Promise<void> {
    const list = normalizeTags(tags, 'tags');
    if (list === undefined) return Promise.resolve();
    return invalidateTagged(list, this.#invalidation);
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
    return memoizerStats(this.#memory, this.#counters, this.#remote);
  }

  /** @internal Access for the dump, persistence, decorator and fixture layers. */
  get [internals]() {
    return {
      memory: this.#memory,
      counters: this.#counters,
      clock: this.#clock,
      /** The tiers in use now (inside a `withFreshCache` scope, the scope's stand-ins). */
      tiers: this.#tiers,
      addTier: (tier: PersistedTier) => this.#fresh.addTier(tier),
      exportEntries: () => this.#exportEntries(),
      toStoredEntry: (entry: MemoryEntry) => toStoredEntry(entry),
      /**
       * Follows the open `withFreshCache` scopes (see src/freshness/fresh-cache.ts). Fixture tapes, which do not join
       * the dump layer, stay out: they replay and record their own file.
       */
      syncFreshCache: () => this.#fresh.sync(this.joinsDumpLayer()),
    };
  }

  /**
   * @internal The stand-in of one of this memoizer's tiers inside a `withFreshCache` scope (a disk tier under the
   * scope's temp cache dir), or `undefined` to leave the tier out of the scope. Every tier is left out by default:
   * nothing recorded in the scope may reach it.
   */
  protected freshTier(_tier: PersistedTier, _scope: FreshScope): PersistedTier | undefined {
    return undefined;
  }

  /** The remote tier, unless a `withFreshCache` scope leaves it out. */
  #activeRemote(): RemoteStore | undefined {
    return this.#fresh.scope === undefined ? this.#remote : undefined;
  }

  #tierFailed(tierName: string, error: unknown): void {
    this.#counters.errors++;
    warn(
      'MEMOTAPE_TIER_FAILED',
      `the ${tierName} tier failed; results stay in memory: ${(error as Error)?.message ?? String(error)}`,
      `tier:${tierName}`,
    );
  }

  *#exportEntries(): IterableIterator<ExportedEntry> {
    // Inside `withFreshCache` the dump sees the entries set aside by the outermost scope: nothing recorded in a scope
    // reaches it.
    yield* exportEntries(this.#fresh.realEntries(), this.#clock(), this.collection, () => this.#counters.errors++);
  }
}

/**
 * The memoizer a `record`, `replay` or `memoize` call was made on. Used bare as a decorator (`@memoizer.memoize`,
 * without parentheses), the method is called as a decorator: without its memoizer (legacy decorators, standard ones
 * compiled by some tools) or with the decorator's arguments. Both get the same clear error.
 */
function receiverOf(receiver: unknown, kind: WrapperKind, argumentCount: number): Memoizer {
  if (receiver instanceof Memoizer && argumentCount <= 1) return receiver;
  throw new TypeError(
    `Expected \`${kind}\` to be called on a memoizer with one options object: decorate a method with \`@memoizer.${kind}()\`, with the parentheses${kind === 'memoize' ? ' (or use the bare `@memoize` export of the default memoizer)' : ''}`,
  );
}
