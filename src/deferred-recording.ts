import { DeferredStateError } from './errors.js';

/**
 * An interim value handed out while a {@link DeferredRecording} is pending. Wrapping the value distinguishes "no
 * interim result configured" (`undefined`) from an interim value that is itself `undefined` or `null`.
 *
 * @example
 * ```ts
 * const interim = recording.getInterimResult();
 * if (interim) return interim.value;
 * ```
 */
export class InterimResult<R> {
  /** The value returned by `makeInterimResult()`; may legitimately be `null` or `undefined`. */
  readonly value: R;

  constructor(value: R) {
    this.value = value;
  }
}

/** Options of {@link DeferredRecording}. */
export interface DeferredRecordingOptions<R> {
  /**
   * Builds the value a memoized call returns while this recording is pending, instead of running the function
   * again (for a promise, the pending promise itself). Called on every such call.
   * @default undefined (no interim result: a repeated call while pending runs the function again)
   */
  readonly makeInterimResult?: (() => R) | undefined;
}

// One failing callback must not starve the others (the memoizer's own callback may come after a user's): run every
// callback, then rethrow the first error.
function runAll<T>(callbacks: ReadonlyArray<(value: T) => void>, value: T): void {
  let failure: { error: unknown } | undefined;
  for (const callback of callbacks) {
    try {
      callback(value);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

/** The life cycle of a {@link DeferredRecording}. */
export type DeferredRecordingState = 'pending' | 'finalized' | 'abandoned';

/**
 * Returned by a `resultEncoder` to record a result later, once its encoded form is available (a pending
 * computation, a stream, a promise). The memoizer registers a callback and stores the entry when `finalize()` is
 * called; `abandon()` drops it and the next call runs the function again.
 *
 * Callbacks registered before `finalize()` run in registration order; a callback registered afterwards runs at once.
 *
 * @example
 * ```ts
 * const resultEncoder = () => () => (job: Job) => {
 *   const recording = new DeferredRecording<Job, number>({ makeInterimResult: () => job });
 *   job.onDone((value) => recording.finalize(value), (error) => recording.abandon(error));
 *   return recording;
 * };
 * const run = memoizer.memoize({ resultEncoder })(startJob);
 * ```
 */
export class DeferredRecording<R = unknown, E = unknown> {
  /** The callable given as `makeInterimResult`, if any. */
  readonly makeInterimResult: (() => R) | undefined;
  #state: DeferredRecordingState = 'pending';
  #callbacks: Array<(encoded: E) => void> = [];
  #abandonCallbacks: Array<(reason: unknown) => void> = [];
  #encoded: E | undefined;
  #reason: unknown;

  constructor(options: DeferredRecordingOptions<R> = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new TypeError('`new DeferredRecording(options)` expects an options object');
    }
    for (const name of Object.keys(options)) {
      if (name !== 'makeInterimResult') throw new TypeError(`Unknown option \`${name}\` passed to DeferredRecording`);
    }
    const { makeInterimResult } = options;
    if (makeInterimResult !== undefined && typeof makeInterimResult !== 'function') {
      throw new TypeError('Expected `makeInterimResult` to be a function');
    }
    this.makeInterimResult = makeInterimResult;
  }

  /** `'pending'` until `finalize()` or `abandon()` is called. */
  get state(): DeferredRecordingState {
    return this.#state;
  }

  /**
   * Stores the encoded result and runs every registered callback with it, in registration order.
   * Throws {@link DeferredStateError} when called a second time or after `abandon()`.
   */
  finalize(encodedResult: E): void {
    if (this.#state !== 'pending') {
      throw new DeferredStateError(
        this.#state === 'finalized'
          ? 'finalize() called multiple times on DeferredRecording'
          : 'finalize() called on an abandoned DeferredRecording',
      );
    }
    this.#state = 'finalized';
    this.#encoded = encodedResult;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    this.#abandonCallbacks = [];
    runAll(callbacks, encodedResult);
  }

  /**
   * Drops the recording: nothing is cached and the next call runs the function again. Returns false (and does
   * nothing) when the recording was already finalized or abandoned.
   */
  abandon(reason?: unknown): boolean {
    if (this.#state !== 'pending') return false;
    this.#state = 'abandoned';
    this.#reason = reason;
    const callbacks = this.#abandonCallbacks;
    this.#callbacks = [];
    this.#abandonCallbacks = [];
    runAll(callbacks, reason);
    return true;
  }

  /**
   * Registers a completion callback. Runs at once when the recording is already finalized; never runs when it was
   * abandoned. `onAbandon` runs if the recording is (or already was) abandoned.
   */
  registerCallback(callback: (encodedResult: E) => void, onAbandon?: (reason: unknown) => void): void {
    if (typeof callback !== 'function') throw new TypeError('Expected `callback` to be a function');
    if (this.#state === 'finalized') {
      callback(this.#encoded as E);
    } else if (this.#state === 'abandoned') {
      onAbandon?.(this.#reason);
    } else {
      this.#callbacks.push(callback);
      if (onAbandon) this.#abandonCallbacks.push(onAbandon);
    }
  }

  /**
   * The interim value for calls made while this recording is pending: an {@link InterimResult} when
   * `makeInterimResult` was given (it is called each time), else `undefined`.
   */
  getInterimResult(): InterimResult<R> | undefined {
    return this.makeInterimResult ? new InterimResult(this.makeInterimResult()) : undefined;
  }
}
