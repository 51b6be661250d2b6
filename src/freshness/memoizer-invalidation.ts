import type { MemoryTier, Namespace, TierCounters } from '../memory-tier.js';
import type { PersistedTier, RemoteStore } from '../stores/store.js';
import type { TieredStore } from '../stores/tiered-store.js';
import { describeKey } from '../wrap.js';
import { forgetPending, type ReadOnlyInvalidations } from './invalidation.js';
import type { TagEpochs } from './tag-epochs.js';
import { deleteTaggedInTiers } from './tags.js';

/** What a memoizer lends its invalidations. */
export interface InvalidationContext {
  readonly memory: MemoryTier;
  readonly counters: TierCounters;
  readonly tagEpochs: TagEpochs;
  /** Entries of read-only tiers (a preloaded dump) invalidated for this memoizer. */
  readonly invalidatedReadOnly: ReadOnlyInvalidations;
  /** The persisted tiers in use, and the store that writes through them. */
  readonly tiers: readonly PersistedTier[];
  readonly tiered: TieredStore<PersistedTier>;
  /** Whether a `withFreshCache` scope is open: what is invalidated there concerns the scope only. */
  readonly inFreshScope: () => boolean;
  /** The remote tier, unless a fresh-cache scope leaves it out. */
  readonly activeRemote: () => RemoteStore | undefined;
  /** Names this memoizer in what it publishes through the remote tier. */
  readonly origin: string;
  /** Reports a tier that failed (one warning, and `stats().errors`). */
  readonly tierFailed: (tierName: string, error: unknown) => void;
}

/**
 * Drops one call's entry from every tier of a memoizer, and forgets it in flight. Memory is done at once; the
 * promise settles when the other tiers are done, and never rejects (a failing tier is reported).
 *
 * @example
 * ```ts
 * await invalidateCall(namespace, key, context);
 * ```
 */
export function invalidateCall(namespace: Namespace, key: unknown, context: InvalidationContext): Promise<void> {
  forgetPending(namespace, key);
  const entry = namespace.entries.get(key);
  if (entry !== undefined) {
    context.memory.remove(entry);
    context.counters.invalidations++;
  }
  if (namespace.persistName === undefined || namespace.conflict !== undefined) return Promise.resolve();
  const hexKey = describeKey(namespace, key);
  if (!context.inFreshScope()) context.invalidatedReadOnly.addKey(hexKey);
  const pending: unknown[] = [context.tiered.delete(hexKey)];
  const remote = context.activeRemote();
  if (remote !== undefined) {
    const deleted = remote.delete(hexKey, { origin: context.origin });
    pending.push(deleted.catch((error: unknown) => context.tierFailed('remote', error)));
  }
  return Promise.all(pending).then(() => undefined);
}

/**
 * Drops every entry carrying one of `tags` from every tier of a memoizer (see `Memoizer.invalidateTags`), and marks
 * the tags so that calls in flight do not store results carrying them.
 *
 * @example
 * ```ts
 * await invalidateTagged(['user:1'], context);
 * ```
 */
export function invalidateTagged(tags: readonly string[], context: InvalidationContext): Promise<void> {
  context.tagEpochs.invalidate(tags);
  context.counters.invalidations += context.memory.removeTagged(tags);
  if (!context.inFreshScope()) context.invalidatedReadOnly.addTags(tags);
  const pending = deleteTaggedInTiers(context.tiers, tags, context.tierFailed);
  const remote = context.activeRemote();
  if (remote?.invalidateTags !== undefined) {
    const invalidated = remote.invalidateTags(tags, { origin: context.origin });
    pending.push(invalidated.catch((error: unknown) => context.tierFailed('remote', error)));
  }
  return Promise.all(pending).then(() => undefined);
}
