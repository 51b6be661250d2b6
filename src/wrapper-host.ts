import { scopeChangedSince } from './freshness/freshness-clock.js';
import { type InvalidationContext, invalidateCall } from './freshness/memoizer-invalidation.js';
import type { RemoteCopies } from './freshness/remote-copies.js';
import type { TagEpochs } from './freshness/tag-epochs.js';
import { entryTimes, type Lifetime } from './freshness/ttl-policy.js';
import { warn } from './internal/warn.js';
import { createEntry, type MemoryTier, type Namespace, type TierCounters } from './memory-tier.js';
import type { PersistedLookup } from './persisted-lookup.js';
import { createRemoteHost } from './remote-host.js';
import type { PersistedTier, RemoteStore } from './stores/store.js';
import type { TieredStore } from './stores/tiered-store.js';
import type { WrapperHost } from './wrap.js';
import { type WriteThroughTargets, writeThrough } from './write-through.js';

/** What a memoizer lends its wrappers' call paths. */
export interface WrapperHostContext {
  readonly memory: MemoryTier;
  readonly counters: TierCounters;
  readonly clock: () => number;
  /** When each tag was last invalidated: a call in flight meanwhile must not store a result carrying it. */
  readonly tagEpochs: TagEpochs;
  /** The persisted tiers in use (they change with `withFreshCache` scopes), and the store that writes through them. */
  readonly tiers: readonly PersistedTier[];
  readonly tiered: TieredStore<PersistedTier>;
  /** Memory misses looked up in the synchronous persisted tiers (preload, disk). */
  readonly persisted: PersistedLookup;
  /** Memory entries that are copies of remote ones, which invalidations published by other processes name. */
  readonly remoteCopies: RemoteCopies;
  /** What `invalidate` reaches. */
  readonly invalidation: InvalidationContext;
  /** The remote tier, unless a `withFreshCache` scope leaves it out. */
  readonly activeRemote: () => RemoteStore | undefined;
  /** Reports a tier that failed (one warning, and `stats().errors`). */
  readonly tierFailed: (tierName: string, error: unknown) => void;
}

/**
 * The wrappers' view of a memoizer (see `WrapperHost` in src/wrap.ts): where a call looks a miss up, how a computed
 * result is stored in memory and written through to the other tiers, and, with a `remote` store, the remote path's
 * view (see src/remote-host.ts).
 *
 * @example
 * ```ts
 * const host = createWrapperHost(remote, context);
 * const wrapper = createWrapper(host, spec);
 * ```
 */
export function createWrapperHost(remote: RemoteStore | undefined, context: WrapperHostContext): WrapperHost {
  const { memory, counters, clock, tagEpochs, tiers, tiered, persisted, remoteCopies, activeRemote, tierFailed } =
    context;
  /** Where a recorded entry is written beyond memory (see src/write-through.ts). */
  const writeTargets: WriteThroughTargets = { counters, tiered, activeRemote, tierFailed };

  const store = (
    namespace: Namespace,
    key: unknown,
    params: unknown,
    encoded: unknown,
    isPromise: boolean,
    lifetime: Lifetime,
    startedAt: number,
    skipRemote: boolean,
  ): void => {
    const { tags } = lifetime;
    if (lifetime.ttl === 0 || scopeChangedSince(startedAt)) return;
    if (tags !== undefined && tagEpochs.isStale(tags, startedAt)) return;
    const times = entryTimes(lifetime, clock());
    const entry = createEntry(namespace, key, params, encoded, isPromise, times, tags);
    memory.insert(entry);
    counters.writes++;
    const shared = isPromise && activeRemote() !== undefined;
    // The key writeThrough hashed serves the shared-copy index too: one SHA-256 per stored entry.
    let hexKey: string | undefined;
    if (tiers.length > 0 || (shared && !skipRemote)) hexKey = writeThrough(entry, skipRemote, writeTargets);
    if (shared) remoteCopies.note(entry, hexKey);
  };

  return {
    remote:
      remote === undefined
        ? undefined
        : createRemoteHost(remote, {
            clock,
            counters,
            tagEpochs,
            tiers,
            tiered,
            active: () => activeRemote() !== undefined,
            // The remote tier already has the result (the single flight stored it): only the local tiers get it.
            storeLocally: (namespace, key, params, encoded, lifetime, startedAt) =>
              store(namespace, key, params, encoded, true, lifetime, startedAt, true),
            insertStored: (namespace, key, params, stored, result) =>
              persisted.insert(namespace, key, params, stored, result),
            noteSharedCopy: (entry, hexKey) => remoteCopies.note(entry, hexKey),
            tierFailed,
          }),
    memory,
    hasPersistedTiers: () => tiers.length > 0,
    lookupPersisted: (namespace, key, params) => persisted.lookup(namespace, key, params),
    store: (namespace, key, params, encoded, isPromise, lifetime, startedAt) =>
      store(namespace, key, params, encoded, isPromise, lifetime, startedAt, false),
    invalidate: (namespace, key) => invalidateCall(namespace, key, context.invalidation),
    peekPersisted: (namespace, key) => persisted.peek(namespace, key),
    policyFailed: (namespace, option, error) => {
      counters.errors++;
      warn(
        'MEMOTAPE_FRESHNESS_OPTION_FAILED',
        `${namespace.displayName}: the \`${option}\` function failed, so the result was not stored: ${(error as Error)?.message ?? String(error)}`,
        `freshness-option:${namespace.displayName}:${option}`,
      );
    },
    tagsInvalidatedSince: (startedAt) => tagEpochs.invalidatedSince(startedAt),
  };
}
