import type { MemoryTier, TierCounters } from '../memory-tier.js';

/**
 * What the cache is worth for one function (all its namespaces: one per decorated instance), from `stats()`.
 *
 * @example
 * ```ts
 * const { hitRate, meanMissMs } = memoizer.stats().functions.getUser;
 * console.log(`${(hitRate * 100).toFixed(1)}% hits, each saving ~${meanMissMs.toFixed(1)} ms`);
 * ```
 */
export interface FunctionStats {
  /** Calls answered from a tier (memory, preload, disk, remote). */
  readonly hits: number;
  /** Calls that found nothing (and ran, or for `replay`, threw). */
  readonly misses: number;
  /** `hits / (hits + misses)`; 0 before the first call. */
  readonly hitRate: number;
  /**
   * The mean time of a computation on a miss, in ms (for a promise, until it settled; failed calls are left out):
   * the time a hit saves. 0 before the first timed miss.
   */
  readonly meanMissMs: number;
}

interface Totals {
  hits: number;
  misses: number;
  missTime: number;
  timedMisses: number;
}

function toFunctionStats(totals: Totals): FunctionStats {
  const calls = totals.hits + totals.misses;
  return {
    hits: totals.hits,
    misses: totals.misses,
    hitRate: calls === 0 ? 0 : totals.hits / calls,
    meanMissMs: totals.timedMisses === 0 ? 0 : totals.missTime / totals.timedMisses,
  };
}

/**
 * Adds up the per-namespace counts of a memory tier: the memoizer's memory hits, its mean miss time, and the stats of
 * each function by display name (namespaces already dropped included).
 */
export function collectFunctionStats(
  memory: MemoryTier,
  counters: TierCounters,
): { memoryHits: number; meanMissMs: number; functions: Record<string, FunctionStats> } {
  const byName = new Map<string, Totals>();
  for (const [name, retired] of memory.retired) byName.set(name, { ...retired });
  let memoryHits = counters.hits.memory;
  let missTime = 0;
  let timedMisses = 0;
  for (const namespace of memory.namespaces) {
    memoryHits += namespace.calls.memoryHits;
    const hits = namespace.calls.memoryHits + namespace.calls.persistedHits;
    if (hits + namespace.calls.misses === 0) continue;
    const totals = byName.get(namespace.displayName) ?? { hits: 0, misses: 0, missTime: 0, timedMisses: 0 };
    totals.hits += hits;
    totals.misses += namespace.calls.misses;
    totals.missTime += namespace.calls.missTime;
    totals.timedMisses += namespace.calls.timedMisses;
    byName.set(namespace.displayName, totals);
  }
  const functions: Record<string, FunctionStats> = {};
  for (const [name, totals] of byName) {
    missTime += totals.missTime;
    timedMisses += totals.timedMisses;
    Object.defineProperty(functions, name, {
      value: toFunctionStats(totals),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { memoryHits, meanMissMs: timedMisses === 0 ? 0 : missTime / timedMisses, functions };
}
