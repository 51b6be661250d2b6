/*
 * A process-wide logical clock for the in-flight races of freshness. A computation notes the tick at which it
 * started; when it finishes, its result is stored only if nothing that makes it stale happened since: a tag it
 * carries was invalidated (see tag-epochs.ts), or a `withFreshCache` scope began or ended (the result belongs to a
 * cache that is no longer the current one). Reading the clock is one module variable, paid on misses only.
 */

let ticks = 0;
let scopeChangedAt = 0;

/** The current tick: what a computation notes when it starts. */
export function currentTick(): number {
  return ticks;
}

/** Advances the clock and answers the new tick (an invalidation happens at it). */
export function nextTick(): number {
  ticks += 1;
  return ticks;
}

/** Notes that the current cache changed (a fresh-cache scope began or ended). */
export function markScopeChange(): void {
  scopeChangedAt = nextTick();
}

/** Whether the current cache changed after a computation that started at `startedAt`. */
export function scopeChangedSince(startedAt: number): boolean {
  return scopeChangedAt > startedAt;
}
