import { performance } from 'node:perf_hooks';
import type { CircuitBreaker } from './circuit-breaker.js';
import { DeadlineExceededError, withDeadline } from './deadline.js';
import { classifyFailure, type Failure, scrubSecrets } from './failure.js';

/** The outcome of one guarded operation: its value, or why there is none (`failure` is absent when skipped). */
export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure?: Failure };

/** What the guard reports to the store; see {@link Guard}. */
export interface GuardReporter {
  /** An operation failed (already classified and scrubbed). */
  failed(operation: string, failure: Failure): void;
  /** An operation was not sent because the circuit is open or the store is closed. */
  skipped(operation: string): void;
}

const SKIPPED: Attempt<never> = Object.freeze({ ok: false });

/**
 * Runs every Redis operation under memotape's own deadline and the circuit breaker, and turns every failure into
 * an {@link Attempt} instead of a rejection: callers never see a Redis error, they see "no answer" and go on without
 * the tier.
 */
export class Guard {
  readonly #breaker: CircuitBreaker;
  readonly #reporter: GuardReporter;
  readonly #secrets: readonly string[];
  #closed = false;

  readonly #firstAttempt: () => Promise<void> | undefined;

  /** `firstAttempt` answers a promise while the client's first connection attempt is under way (see client.ts). */
  constructor(
    breaker: CircuitBreaker,
    reporter: GuardReporter,
    secrets: readonly string[],
    firstAttempt: () => Promise<void> | undefined,
  ) {
    this.#breaker = breaker;
    this.#reporter = reporter;
    this.#secrets = secrets;
    this.#firstAttempt = firstAttempt;
  }

  /** Refuses every later operation (the store is closing). */
  close(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends `operation` unless the circuit is open, and waits at most `timeout` ms for its answer. A server error
   * reply counts as an error but proves the server is up; a timeout or connection failure counts towards opening
   * the circuit.
   */
  async run<T>(operation: string, timeout: number, send: () => Promise<T>): Promise<Attempt<T>> {
    if (this.#closed || !this.#breaker.tryPass()) {
      this.#reporter.skipped(operation);
      return SKIPPED;
    }
    try {
      const connecting = this.#firstAttempt();
      const sent = connecting === undefined ? send() : this.#sendOnceConnected(connecting, operation, timeout, send);
      const value = await withDeadline(sent, timeout, operation);
      this.#breaker.recordSuccess();
      return { ok: true, value };
    } catch (error) {
      const failure = classifyFailure(error, this.#secrets);
      if (failure.unavailable) this.#breaker.recordFailure();
      else this.#breaker.recordSuccess();
      this.#reporter.failed(operation, failure);
      return { ok: false, failure };
    }
  }

  /** Sends after the first connection attempt, unless the caller has given up meanwhile (a late command could
   * take a lease nobody would ever release). */
  async #sendOnceConnected<T>(
    connecting: Promise<void>,
    operation: string,
    timeout: number,
    send: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    await connecting;
    if (performance.now() - started >= timeout) throw new DeadlineExceededError(operation, timeout);
    return send();
  }

  /** Classifies an error reply a script returned as data (a pcall inside Lua) and reports it like a failure. */
  reportReply(operation: string, message: string): void {
    const failure: Failure = {
      kind: 'reply',
      code: /^([A-Z][A-Z_]+)/.exec(message)?.[1] ?? 'ERR',
      message: scrubSecrets(message, this.#secrets),
      unavailable: false,
    };
    this.#reporter.failed(operation, failure);
  }
}
