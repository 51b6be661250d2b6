import { randomUUID } from 'node:crypto';
import type { MemoryEntry, MemoryTier, TierCounters } from '../memory-tier.js';
import type { RemoteInvalidation, RemoteStore } from '../stores/store.js';
import { describeKey } from '../wrap.js';
import { forgetPending } from './invalidation.js';
import { SharedCopies, watchInvalidations } from './shared-copies.js';
import type { TagEpochs } from './tag-epochs.js';

/** What a memoizer lends its remote copies. */
export interface RemoteCopiesContext {
  readonly memory: MemoryTier;
  readonly counters: TierCounters;
  readonly tagEpochs: TagEpochs;
}

/**
 * One memoizer's side of invalidations through a remote tier: it notes which memory entries are copies of remote
 * ones, and drops them (and what carries an invalidated tag) when another process invalidates them.
 *
 * @example
 * ```ts
 * const copies = new RemoteCopies(remote, { memory, counters, tagEpochs });
 * copies.note(entry); // invalidations published with another origin now reach this entry
 * await remote.delete(hexKey, { origin: copies.origin });
 * ```
 */
export class RemoteCopies {
  /** Names this memoizer in what it publishes, so it ignores its own invalidations when they come back. */
  readonly origin = randomUUID();
  readonly #remote: RemoteStore | undefined;
  readonly #context: RemoteCopiesContext;
  readonly #copies = new SharedCopies();
  #watching = false;

  constructor(remote: RemoteStore | undefined, context: RemoteCopiesContext) {
    this.#remote = remote;
    this.#context = context;
  }

  /**
   * Notes that a memory entry is a copy of a remote one (results of async functions go to the remote tier), and
   * starts listening to the tier's invalidations, so that another process invalidating it reaches this copy too.
   * `hexKey` is the entry's 32-hex persisted key, when the caller already computed it.
   */
  note(entry: MemoryEntry, hexKey?: string): void {
    const { namespace } = entry;
    if (namespace.persistName === undefined || namespace.conflict !== undefined) return;
    this.#copies.note(hexKey ?? describeKey(namespace, entry.key), entry);
    if (this.#watching || this.#remote === undefined) return;
    this.#watching = true;
    // Held weakly through `this`: once the memoizer (and so this object) is collected, the listener stops.
    watchInvalidations(this.#remote, this, (copies, invalidation) => copies.#invalidated(invalidation));
  }

  /** Drops the local copies of what another process (or another memoizer here) invalidated through the remote tier. */
  #invalidated({ origin, tags, keys }: RemoteInvalidation): void {
    if (origin === this.origin) return;
    const { memory, counters, tagEpochs } = this.#context;
    if (tags !== undefined && tags.length > 0) {
      tagEpochs.invalidate(tags);
      counters.invalidations += memory.removeTagged(tags);
    }
    for (const hexKey of keys ?? []) {
      const entry = this.#copies.take(hexKey);
      if (entry === undefined) continue;
      forgetPending(entry.namespace, entry.key);
      memory.remove(entry);
      counters.invalidations++;
    }
  }
}
