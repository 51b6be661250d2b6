import { scopeChangedSince } from './freshness/freshness-clock.js';
import type { TagEpochs } from './freshness/tag-epochs.js';
import { entryTimes } from './freshness/ttl-policy.js';
import { createEntry, type MemoryEntry, type Namespace, type TierCounters } from './memory-tier.js';
import type { RemoteHost } from './remote-call.js';
import { toStoredEntry } from './stored-entry.js';
import type { PersistedTier, RemoteStore, StoredEntry } from './stores/store.js';
import type { TieredStore } from './stores/tiered-store.js';

/** What a memoizer lends the remote path. */
export interface RemoteHostContext {
  readonly clock: () => number;
  readonly counters: TierCounters;
  readonly tagEpochs: TagEpochs;
  /** The local persisted tiers in use, and the store that reads and writes through them. */
  readonly tiers: readonly PersistedTier[];
  readonly tiered: TieredStore<PersistedTier>;
  /** Whether the remote tier takes part now (it sits out `withFreshCache` scopes). */
  readonly active: () => boolean;
  /** Stores a computed result in memory and the local persisted tiers, not in the remote tier. */
  readonly storeLocally: RemoteHost['storeLocally'];
  /** Puts a persisted entry (already decoded) into memory. */
  readonly insertStored: (
    namespace: Namespace,
    key: unknown,
    params: unknown,
    stored: StoredEntry,
    result: unknown,
  ) => MemoryEntry;
  /**
   * Notes a memory entry as a copy of a remote one, so invalidations from other processes reach it; `hexKey` is its
   * 32-hex persisted key, already computed.
   */
  readonly noteSharedCopy: (entry: MemoryEntry, hexKey: string) => void;
  /** Reports a tier that failed (one warning, and `stats().errors`). */
  readonly tierFailed: (tierName: string, error: unknown) => void;
}

/** The remote path's view of a memoizer (see src/remote-call.ts). */
export function createRemoteHost(remote: RemoteStore, context: RemoteHostContext): RemoteHost {
  const { clock, counters, tagEpochs, tiers, tiered } = context;
  return {
    remote,
    active: context.active,
    now: clock,
    toStored: (namespace, params, encoded, lifetime) => {
      const times = entryTimes(lifetime, clock());
      const entry = createEntry(namespace, undefined, params, encoded, true, times, lifetime.tags);
      return toStoredEntry(entry).entry;
    },
    isStale: (tags, startedAt) =>
      scopeChangedSince(startedAt) || (tags !== undefined && tagEpochs.isStale(tags, startedAt)),
    countMiss: (namespace) => {
      counters.misses++;
      namespace.calls.misses++;
    },
    remoteFailed: (error) => context.tierFailed('remote', error),
    storeLocally: context.storeLocally,
    fillFromRemote: (namespace, key, hexKey, params, stored, encoded, startedAt, countHit) => {
      if (countHit) {
        counters.hits.remote++;
        namespace.calls.persistedHits++;
      }
      // Fetched for a cache that is no longer the current one, or carrying a tag invalidated meanwhile: not kept.
      if (scopeChangedSince(startedAt)) return;
      if (stored.tags !== undefined && tagEpochs.isStale(stored.tags, startedAt)) return;
      // A local copy never outlives the remote entry: without its own expiry it lives as long as the remote TTL.
      const local =
        stored.expiresAt !== undefined || remote.defaultTtl === undefined
          ? stored
          : { ...stored, expiresAt: stored.createdAt + remote.defaultTtl };
      const entry = context.insertStored(namespace, key, params, local, encoded);
      context.noteSharedCopy(entry, hexKey);
      // The remote entry is already in stored form: writable local tiers take it as is, nothing is re-encoded.
      if (namespace.persistName !== undefined && tiers.some((tier) => !tier.readOnly)) tiered.set(hexKey, local);
    },
  };
}
