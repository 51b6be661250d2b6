import { collectFunctionStats, type FunctionStats } from './freshness/function-stats.js';
import type { MemoryTier, TierCounters } from './memory-tier.js';

/**
 * Hit, miss and write counts of one memoizer, from `stats()`.
 *
 * @example
 * ```ts
 * const { hits, misses } = memoizer.stats();
 * console.log(hits.memory / (hits.memory + misses));
 * ```
 */
export interface MemoizerStats {
  /** Hits per tier: memory, a preloaded dump, disk, a remote tier. */
  readonly hits: { readonly memory: number; readonly preload: number; readonly disk: number; readonly remote: number };
  /** Calls that found nothing and ran (or, for `replay`, threw). */
  readonly misses: number;
  /** Entries stored. */
  readonly writes: number;
  /** Entries evicted by `maxEntries` (and, on disk, `maxDiskBytes`). */
  readonly evictions: number;
  /** Entries removed because their TTL passed. */
  readonly expirations: number;
  /** Problems handled without failing a call (a persisted tier that failed, an unstorable result). */
  readonly errors: number;
  /** Entries held in memory now. */
  readonly size: number;
  /** All hits (every tier) over all calls that looked for an entry; 0 before the first call. */
  readonly hitRate: number;
  /** The mean time of a computation on a miss, in ms: the time a hit saves (see {@link FunctionStats}). */
  readonly meanMissMs: number;
  /** Hits, misses, hit rate and mean miss time per function (its `name` option, else its own name). */
  readonly functions: Readonly<Record<string, FunctionStats>>;
  /** Background refreshes started by `staleWhileRevalidate`. */
  readonly refreshes: number;
  /** Background refreshes that threw or rejected (the stale result was kept). */
  readonly refreshFailures: number;
  /** Entries removed from memory by `invalidate` and `invalidateTags`. */
  readonly invalidations: number;
}

/** The `stats()` of a memoizer: its counters, with memory hits and per-function figures added up per namespace. */
export function memoizerStats(memory: MemoryTier, counters: TierCounters): MemoizerStats {
  const { memoryHits, meanMissMs, functions } = collectFunctionStats(memory, counters);
  const hits = { ...counters.hits, memory: memoryHits };
  const allHits = hits.memory + hits.preload + hits.disk + hits.remote;
  return {
    hits,
    misses: counters.misses,
    writes: counters.writes,
    evictions: counters.evictions,
    expirations: counters.expirations,
    errors: counters.errors,
    size: memory.size,
    hitRate: allHits + counters.misses === 0 ? 0 : allHits / (allHits + counters.misses),
    meanMissMs,
    functions,
    refreshes: counters.refreshes,
    refreshFailures: counters.refreshFailures,
    invalidations: counters.invalidations,
  };
}
