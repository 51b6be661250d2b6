/**
 * `closed`: Redis is used. `open`: Redis is skipped. `half-open`: one probe is let through to see if it is back.
 *
 * @example
 * ```ts
 * if (remote.circuit !== 'closed') console.warn('Redis tier skipped');
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** How the breaker decides; see {@link CircuitBreaker}. */
export interface CircuitBreakerSettings {
  /** Consecutive failures (unreachable server, timeouts) that open the circuit. */
  readonly failureThreshold: number;
  /** Milliseconds the circuit stays open before one probe is let through. */
  readonly cooldown: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock: () => number;
  /** Called when the circuit opens (an outage begins). */
  readonly onOpen: () => void;
  /** Called when a success closes an open circuit (the outage is over). */
  readonly onClose: () => void;
}

/**
 * Skips the Redis tier while it is down, so an outage costs the user's calls no latency at all: after
 * `failureThreshold` consecutive failures the circuit opens and {@link tryPass} answers false at once. After
 * `cooldown` one call is let through as a probe; its success closes the circuit, its failure opens it again.
 * Any success (even a late one) means the server answered, and closes the circuit.
 */
export class CircuitBreaker {
  readonly #settings: CircuitBreakerSettings;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #probing = false;

  constructor(settings: CircuitBreakerSettings) {
    this.#settings = settings;
  }

  /** The current state; an open circuit whose cooldown has passed reads as `half-open`. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#settings.clock() - this.#openedAt >= this.#settings.cooldown) {
      return 'half-open';
    }
    return this.#state;
  }

  /** Whether an operation may go to Redis now. In the half-open state only one probe is in flight at a time. */
  tryPass(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#probing || this.state !== 'half-open') return false;
    this.#probing = true;
    return true;
  }

  /** Reports an operation that reached the server (whatever it answered). */
  recordSuccess(): void {
    this.#consecutiveFailures = 0;
    this.#probing = false;
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#settings.onClose();
  }

  /** Reports an operation that could not reach the server in time. */
  recordFailure(): void {
    this.#consecutiveFailures++;
    if (this.#state !== 'closed') {
      // A failed probe (or a late failure after one) restarts the cooldown.
      if (this.#probing) {
        this.#probing = false;
        this.#openedAt = this.#settings.clock();
      }
      return;
    }
    if (this.#consecutiveFailures < this.#settings.failureThreshold) return;
    this.#state = 'open';
    this.#openedAt = this.#settings.clock();
    this.#settings.onOpen();
  }

  /** Reports an operation that did not reach the server because it was refused locally (no outcome either way). */
  releaseProbe(): void {
    this.#probing = false;
  }
}
