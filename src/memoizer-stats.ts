import { collectFunctionStats, type FunctionStats } from './freshness/function-stats.js';
import type { MemoryTier, TierCounters } from './memory-tier.js';
import type { RemoteStore } from './stores/store.js';

/**
 * What went wrong with a memoizer's remote tier (a `RedisStore`), from `stats().remote`: every failure was handled
 * without failing a call (the call computed, or used the local tiers, instead). The counts are the remote store's
 * since it was created, so memoizers sharing one store report the same figures.
 *
 * @example
 * ```ts
 * const { remote } = memoizer.stats();
 * if (remote !== undefined && remote.errors > 0) console.warn(`Redis: ${remote.errors} errors, ${remote.timeouts} timeouts`);
 * ```
 */
export interface RemoteTierStats {
  /**
   * Failed operations: refused or lost connections, wrong passwords, timeouts, and error replies such as OOM under
   * `maxmemory`, `READONLY` or `NOPERM`.
   */
  readonly errors: number;
  /** Of `errors`, the operations abandoned at the tier's deadline (a slow, stopped or unreachable server). */
  readonly timeouts: number;
  /** Operations not sent at all because the tier was skipped: its circuit breaker open during an outage. */
  readonly skipped: number;
}

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
  /**
   * Failures of the remote tier (see {@link RemoteTierStats}; its hits are `hits.remote`); `undefined` without a
   * remote tier, or with one that keeps no counts.
   */
  readonly remote: RemoteTierStats | undefined;
}

/**
 * The `stats()` of a memoizer: its counters, with memory hits and per-function figures added up per namespace, and
 * the failure counts of its remote tier, if any.
 */
export function memoizerStats(
  memory: MemoryTier,
  counters: TierCounters,
  remote: RemoteStore | undefined = undefined,
): MemoizerStats {
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
    remote: remoteTierStats(remote),
  };
}

function remoteTierStats(remote: RemoteStore | undefined): RemoteTierStats | undefined {
  const stats = remote?.stats?.();
  if (stats === undefined) return undefined;
  return { errors: stats.errors, timeouts: stats.timeouts, skipped: stats.skipped ?? 0 };
}
