import { nextTick } from './freshness-clock.js';

/** How many invalidated tags are remembered before they are folded into one floor tick. */
const REMEMBERED_TAGS = 10_000;

/**
 * When each tag of one memoizer was last invalidated, on the freshness clock: a computation that started before its
 * result's tags were invalidated must not store that result (it may have read the data the invalidation was about).
 * The tags of a result are only known once it is computed, so the check happens when it is stored.
 *
 * The memory is bounded: past {@link REMEMBERED_TAGS} tags, they are forgotten and every computation that started
 * before then counts as invalidated. That errs on the safe side: at worst a result is computed again.
 */
export class TagEpochs {
  readonly #invalidatedAt = new Map<string, number>();
  #floor = 0;
  #last = 0;

  /** Notes that `tags` were invalidated now. */
  invalidate(tags: readonly string[]): void {
    const now = nextTick();
    this.#last = now;
    for (const tag of tags) this.#invalidatedAt.set(tag, now);
    if (this.#invalidatedAt.size > REMEMBERED_TAGS) {
      this.#invalidatedAt.clear();
      this.#floor = now;
    }
  }

  /** Whether any tag was invalidated after tick `startedAt` (the tags of a call in flight are not known yet). */
  invalidatedSince(startedAt: number): boolean {
    return this.#last > startedAt;
  }

  /** Whether a result carrying `tags`, computed from tick `startedAt`, was made stale by an invalidation since. */
  isStale(tags: readonly string[], startedAt: number): boolean {
    if (startedAt < this.#floor) return true;
    if (this.#invalidatedAt.size === 0) return false;
    for (const tag of tags) {
      const invalidatedAt = this.#invalidatedAt.get(tag);
      if (invalidatedAt !== undefined && invalidatedAt > startedAt) return true;
    }
    return false;
  }
}
