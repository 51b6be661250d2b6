import type { CircuitState } from './circuit-breaker.js';

/**
 * Counts of one {@link RedisStore} since it was created, from `remote.stats()`.
 *
 * @example
 * ```ts
 * const { hits, misses, timeouts, circuit } = remote.stats();
 * if (circuit !== 'closed') console.warn(`Redis tier skipped (${timeouts} timeouts so far)`);
 * ```
 */
export interface RedisStoreStats {
  /** Reads answered from Redis: `get()` hits, and `singleFlight()` calls that found a value or waited for one. */
  readonly hits: number;
  /** Reads that found nothing: `get()` misses, and `singleFlight()` calls that computed. */
  readonly misses: number;
  /** Values written (`set()` and single-flight completions). */
  readonly writes: number;
  /** Failed operations of every kind: timeouts, connection failures and error replies (OOM, READONLY, NOPERM...). */
  readonly errors: number;
  /** Of `errors`, the operations abandoned at memotape's deadline. */
  readonly timeouts: number;
  /** Operations not sent at all, because the circuit was open or the store closed. */
  readonly skipped: number;
  /** Values not written because they exceeded `maxValueBytes`. */
  readonly oversized: number;
  /** Leases taken: computations this process ran on behalf of all processes. */
  readonly leases: number;
  /** `singleFlight()` calls that waited for another process's computation. */
  readonly waits: number;
  /** Leases taken after waiting: the previous owner failed, died or gave up its lease. */
  readonly takeovers: number;
  /** Waits that reached `waitTimeout`, after which the caller computed on its own. */
  readonly waitTimeouts: number;
  /** `singleFlight()` calls that computed without a lease (Redis unreachable, a wait timed out, lease refused). */
  readonly localComputations: number;
  /** Leases found lost while renewing them (an event loop blocked for longer than `leaseMs`, or an expiry). */
  readonly leasesLost: number;
  /**
   * Entries found stale because one of their tags was invalidated since they were stored (read as misses), and
   * results not stored because a tag was invalidated while they were computed.
   */
  readonly staleTags: number;
  /** `invalidateTags` calls that reached Redis. */
  readonly tagInvalidations: number;
  /** The circuit breaker's state: `closed` while the tier is used. */
  readonly circuit: CircuitState;
}

/** The mutable counters behind {@link RedisStoreStats}. */
export type RedisCounters = { -readonly [K in Exclude<keyof RedisStoreStats, 'circuit'>]: number };

export function createRedisCounters(): RedisCounters {
  return {
    hits: 0,
    misses: 0,
    writes: 0,
    errors: 0,
    timeouts: 0,
    skipped: 0,
    oversized: 0,
    leases: 0,
    waits: 0,
    takeovers: 0,
    waitTimeouts: 0,
    localComputations: 0,
    leasesLost: 0,
    staleTags: 0,
    tagInvalidations: 0,
  };
}
