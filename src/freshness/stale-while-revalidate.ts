import { isThenable } from '../internal/thenable.js';
import { warn } from '../internal/warn.js';
import type { MemoryEntry, Namespace, TierCounters } from '../memory-tier.js';

/*
 * staleWhileRevalidate: an entry has a fresh period (`ttl`) and then a stale window. A `memoize` hit in the window
 * returns the stale result at once and starts one background refresh of that key; further hits meanwhile return the
 * stale result too and start nothing. A refresh that fails is counted (`stats().refreshFailures`) and not retried for
 * that entry: its stale result is served until the window ends (a failing backend is not called on every hit), and
 * after that the entry is a miss like any expired entry.
 */

/** Entries whose refresh failed: served stale, without another attempt, until their window ends. */
const failedRefreshes = new WeakSet<MemoryEntry>();

/** Whether a hit's entry is past its fresh period (only entries stored with `staleWhileRevalidate` ever are). */
export function isStale(entry: MemoryEntry, now: () => number): boolean {
  return entry.staleAt !== Number.POSITIVE_INFINITY && entry.staleAt <= now();
}

/**
 * Starts the refresh of the stale `entry` of `key` in a microtask, unless one is already running in this process or
 * one already failed for it. `run` computes and stores the result, synchronously or with a promise; whatever it
 * throws or rejects with is counted and reported once per function, never passed on.
 */
export function refreshInBackground(
  namespace: Namespace,
  key: unknown,
  entry: MemoryEntry,
  counters: TierCounters,
  run: () => unknown,
): void {
  namespace.refreshing ??= new Set();
  const refreshing = namespace.refreshing;
  if (refreshing.has(key) || failedRefreshes.has(entry)) return;
  refreshing.add(key);
  counters.refreshes++;
  const done = (): void => {
    refreshing.delete(key);
  };
  const failed = (error: unknown): void => {
    counters.refreshFailures++;
    failedRefreshes.add(entry);
    warn(
      'MEMOTAPE_REFRESH_FAILED',
      `${namespace.displayName}: a background refresh failed; the stale result is kept until its window ends: ${(error as Error)?.message ?? String(error)}`,
      `refresh-failed:${namespace.displayName}`,
    );
    done();
  };
  queueMicrotask(() => {
    let outcome: unknown;
    try {
      outcome = run();
    } catch (error) {
      failed(error);
      return;
    }
    if (isThenable(outcome)) outcome.then(done, failed);
    else done();
  });
}
