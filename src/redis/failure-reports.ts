import type { EventEmitter } from 'node:events';
import { RedisTierError } from '../errors.js';
import { warn } from '../internal/warn.js';
import type { Failure, FailureKind } from './failure.js';
import type { RedisCounters } from './redis-stats.js';

/**
 * Passed to `'down'` listeners when an outage begins (the circuit opens).
 *
 * @example
 * ```ts
 * remote.on('down', ({ reason }) => metrics.increment('redis.down', { reason }));
 * ```
 */
export interface RedisOutage {
  /** What the last failure was, without credentials. */
  readonly reason: string;
  readonly kind: FailureKind;
}

/**
 * Passed to `'up'` listeners when the tier is used again after an outage.
 *
 * @example
 * ```ts
 * remote.on('up', ({ downtime }) => console.info(`Redis back after ${downtime} ms`));
 * ```
 */
export interface RedisRecovery {
  /** Milliseconds since the outage began. */
  readonly downtime: number;
}

/**
 * The events of a `RedisStore`. An `'error'` is only emitted while someone listens for it.
 *
 * @example
 * ```ts
 * remote.on('error', (error) => logger.debug(error.message)); // a RedisTierError, never with a password
 * ```
 */
export interface RedisStoreEvents {
  down: [outage: RedisOutage];
  up: [recovery: RedisRecovery];
  error: [error: RedisTierError];
}

/**
 * How one store's failures reach its user: every failure becomes a count (`stats().errors`, `timeouts`) and, while
 * someone listens, an `'error'` event; an outage (the circuit opening) is one warning and a `'down'` event, its end
 * an `'up'` event. Error replies (OOM, NOPERM, READONLY) repeat on every call while their cause lasts, so each code
 * warns once per store. Nothing here throws into a caller.
 */
export class FailureReports {
  readonly #prefix: string;
  readonly #storeId: number;
  readonly #counters: RedisCounters;
  readonly #events: EventEmitter<RedisStoreEvents>;
  #lastClientError: string | undefined;
  #lastFailure: Failure | undefined;
  #outages = 0;
  #downSince = 0;

  constructor(prefix: string, storeId: number, counters: RedisCounters, events: EventEmitter<RedisStoreEvents>) {
    this.#prefix = prefix;
    this.#storeId = storeId;
    this.#counters = counters;
    this.#events = events;
  }

  /** Outages since the store was created (a warning key per outage: one warning each). */
  get outages(): number {
    return this.#outages;
  }

  /** Notes the client's own last error (already scrubbed): for a failed connection it says best why. */
  clientFailed(message: string): void {
    this.#lastClientError = message;
  }

  /** Counts a failed operation, warns once per error-reply code, and emits `'error'` while someone listens. */
  failed(operation: string, failure: Failure): void {
    this.#counters.errors++;
    if (failure.kind === 'timeout') this.#counters.timeouts++;
    if (failure.kind === 'reply') {
      warn(
        'MEMOTAPE_REDIS_REPLY',
        `Redis tier (${this.#prefix}): ${failure.message}; memoized calls go on without it where it fails.`,
        `redis-reply:${this.#storeId}:${failure.code}`,
      );
    }
    if (this.#events.listenerCount('error') > 0) {
      this.#events.emit('error', new RedisTierError(operation, failure.message));
    }
    if (failure.unavailable) this.#lastFailure = failure;
  }

  /** The circuit opened: one warning for this outage, and a `'down'` event. */
  wentDown(): void {
    this.#outages++;
    this.#downSince = Date.now();
    const kind = this.#lastFailure?.kind ?? 'connection';
    // For a refused or failed connection, the client's own last error says why ("ECONNREFUSED", "WRONGPASS").
    const reason =
      (kind === 'connection' ? this.#lastClientError : undefined) ?? this.#lastFailure?.message ?? 'unreachable';
    const outage: RedisOutage = { reason, kind };
    warn(
      'MEMOTAPE_REDIS_DOWN',
      `Redis tier (${this.#prefix}) is down (${outage.reason}); memoized calls run without it until it answers again.`,
      `redis-down:${this.#storeId}:${this.#outages}`,
    );
    this.#events.emit('down', outage);
  }

  /** The circuit closed again: an `'up'` event with the outage's length. */
  cameUp(): void {
    this.#lastClientError = undefined;
    this.#events.emit('up', { downtime: Date.now() - this.#downSince });
  }
}
