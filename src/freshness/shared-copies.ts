import type { MemoryEntry } from '../memory-tier.js';
import type { RemoteInvalidation, RemoteStore } from '../stores/store.js';

/**
 * The memory entries of one memoizer that are copies of remote entries (filled from Redis, or stored there), by
 * their 32-hex key: what an invalidation published by another process names. Held weakly: an entry evicted or
 * expired from memory is not kept alive here.
 */
export class SharedCopies {
  readonly #byKey = new Map<string, WeakRef<MemoryEntry>>();
  readonly #cleanup = new FinalizationRegistry<{ key: string; ref: WeakRef<MemoryEntry> }>(({ key, ref }) => {
    if (this.#byKey.get(key) === ref) this.#byKey.delete(key);
  });

  note(hexKey: string, entry: MemoryEntry): void {
    const ref = new WeakRef(entry);
    this.#byKey.set(hexKey, ref);
    this.#cleanup.register(entry, { key: hexKey, ref });
  }

  /** The copy of `hexKey`, if memory still holds one. */
  take(hexKey: string): MemoryEntry | undefined {
    const entry = this.#byKey.get(hexKey)?.deref();
    this.#byKey.delete(hexKey);
    return entry !== undefined && entry.namespace.entries.get(entry.key) === entry ? entry : undefined;
  }
}

/**
 * Listens to the invalidations of a remote tier for `target`, held weakly: once the target is collected, the
 * listener stops. Does nothing for a tier that does not publish invalidations.
 */
export function watchInvalidations<T extends object>(
  remote: RemoteStore,
  target: T,
  handle: (target: T, invalidation: RemoteInvalidation) => void,
): void {
  if (remote.onInvalidation === undefined) return;
  const ref = new WeakRef(target);
  const stop = remote.onInvalidation((invalidation) => {
    const current = ref.deref();
    if (current === undefined) stop();
    else handle(current, invalidation);
  });
}
