import { warn } from '../internal/warn.js';
import type { PersistedTier } from '../stores/store.js';

/**
 * Removes the entries tagged with any of `tags` from every writable persisted tier (a disk folder, a custom store
 * with `deleteTagged`). Synchronous stores are done on return; answers the pending work of asynchronous ones. A tier
 * that fails is reported through `failed`; one whose store cannot delete by tag keeps its entries, with one warning.
 */
export function deleteTaggedInTiers(
  tiers: readonly PersistedTier[],
  tags: readonly string[],
  failed: (tierName: string, error: unknown) => void,
): Promise<unknown>[] {
  const pending: Promise<unknown>[] = [];
  for (const tier of tiers) {
    if (tier.readOnly) continue;
    const { store } = tier;
    if (store.deleteTagged === undefined) {
      warn(
        'MEMOTAPE_TAGS_UNSUPPORTED',
        `the ${tier.name} tier cannot remove entries by tag (its store has no deleteTagged method): tagged entries stay there.`,
        `tags-unsupported:${tier.name}`,
      );
      continue;
    }
    try {
      const removed = store.deleteTagged(tags);
      if (typeof removed === 'object') pending.push(removed.catch((error: unknown) => failed(tier.name, error)));
    } catch (error) {
      failed(tier.name, error);
    }
  }
  return pending;
}
