import { decodeTagged } from './codec.js';
import type { ReadOnlyInvalidations } from './freshness/invalidation.js';
import { canonicalFromMemoryKey, persistedKey } from './key.js';
import { createEntry, type MemoryEntry, type MemoryTier, type Namespace, type TierCounters } from './memory-tier.js';
import type { PersistedTier, StoredEntry } from './stores/store.js';
import type { TieredStore } from './stores/tiered-store.js';

/** What a memoizer lends its persisted lookups. */
export interface PersistedLookupContext {
  readonly memory: MemoryTier;
  readonly counters: TierCounters;
  readonly clock: () => number;
  readonly tiered: TieredStore<PersistedTier>;
  /** Entries of read-only tiers (a preloaded dump) invalidated for this memoizer: they read as misses. */
  readonly invalidatedReadOnly: ReadOnlyInvalidations;
  /** Reports a tier that failed (one warning, and `stats().errors`). */
  readonly tierFailed: (tierName: string, error: unknown) => void;
}

/**
 * A memory miss looked up in the synchronous persisted tiers (a preloaded dump, a disk folder): a hit is decoded,
 * counted under its tier and put in memory. `peek` answers the same entry without counting or keeping it.
 *
 * @example
 * ```ts
 * const lookup = new PersistedLookup(context);
 * const entry = lookup.lookup(namespace, key, { args: [1] }); // a MemoryEntry, or undefined
 * ```
 */
export class PersistedLookup {
  readonly #context: PersistedLookupContext;

  constructor(context: PersistedLookupContext) {
    this.#context = context;
  }

  /** The entry of one call from the first synchronous tier that holds it, now in memory and counted as a hit. */
  lookup(namespace: Namespace, key: unknown, params: unknown): MemoryEntry | undefined {
    const found = this.#find(namespace, key);
    if (found === undefined) return undefined;
    const entry = this.insert(namespace, key, params, found.stored, found.result);
    this.#context.counters.hits[found.tier.name]++;
    namespace.calls.persistedHits++;
    return entry;
  }

  /** `peek` past memory: the entry of a synchronous persisted tier, neither counted nor put in memory. */
  peek(namespace: Namespace, key: unknown): MemoryEntry | undefined {
    const found = this.#find(namespace, key);
    if (found === undefined) return undefined;
    const { stored, result } = found;
    return createEntry(namespace, key, undefined, result, stored.promise, stored, stored.tags);
  }

  /** Puts a persisted entry (already decoded to `result`) into memory. */
  insert(namespace: Namespace, key: unknown, params: unknown, stored: StoredEntry, result: unknown): MemoryEntry {
    const entry = createEntry(namespace, key, params, result, stored.promise, stored, stored.tags);
    this.#context.memory.insert(entry);
    return entry;
  }

  /** The entry of one call in the synchronous persisted tiers, with its result decoded. */
  #find(namespace: Namespace, key: unknown): { stored: StoredEntry; result: unknown; tier: PersistedTier } | undefined {
    if (namespace.persistName === undefined || namespace.conflict !== undefined) return undefined;
    const { clock, tiered, invalidatedReadOnly, tierFailed } = this.#context;
    const hexKey = persistedKey(namespace.persistName, canonicalFromMemoryKey(key));
    const now = clock();
    let result: unknown;
    // A synchronous call cannot wait for an asynchronous tier: lookupSync counts its answer as a miss here.
    const hit = tiered.lookupSync(hexKey, (stored, tier) => {
      if (stored.namespace !== namespace.persistName) return false;
      if (stored.expiresAt !== undefined && stored.expiresAt <= now) return false;
      if (tier.readOnly && invalidatedReadOnly.covers(hexKey, stored.tags)) return false;
      try {
        result = decodeTagged(stored.result);
        return true;
      } catch (error) {
        tierFailed(tier.name, error);
        return false;
      }
    });
    return hit === undefined ? undefined : { stored: hit.value, result, tier: hit.tier };
  }
}
