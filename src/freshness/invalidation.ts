import type { DeferredRecording } from '../deferred-recording.js';
import type { Namespace } from '../memory-tier.js';

/*
 * Calls in flight when their entry is invalidated. Their callers still get their result, but it is not stored: it
 * was computed from data the invalidation says changed. A later call of the same key computes afresh instead of
 * sharing the stale in-flight promise.
 */
const invalidatedRecordings = new WeakSet<DeferredRecording>();

/** Forgets the call of `key` in flight in `namespace` (if any): it will not store its result. */
export function forgetPending(namespace: Namespace, key: unknown): void {
  const recording = namespace.pending.get(key)?.deref();
  if (recording === undefined) return;
  invalidatedRecordings.add(recording);
  namespace.pending.delete(key);
}

/** Whether the call behind `recording` was invalidated while it was in flight. */
export function wasInvalidated(recording: DeferredRecording): boolean {
  return invalidatedRecordings.has(recording);
}

/**
 * Entries of read-only tiers (a preloaded dump) invalidated for one memoizer: such a tier cannot delete, so its
 * entries are forgotten here, by key and by tag. Its entries never change, so a tag invalidated once covers them
 * for good.
 */
export class ReadOnlyInvalidations {
  readonly #keys = new Set<string>();
  readonly #tags = new Set<string>();

  addKey(hexKey: string): void {
    this.#keys.add(hexKey);
  }

  addTags(tags: readonly string[]): void {
    for (const tag of tags) this.#tags.add(tag);
  }

  /** Whether the entry stored under `hexKey` (with `tags`) was invalidated. */
  covers(hexKey: string, tags: readonly string[] | undefined): boolean {
    if (this.#keys.has(hexKey)) return true;
    return this.#tags.size > 0 && tags !== undefined && tags.some((tag) => this.#tags.has(tag));
  }
}
