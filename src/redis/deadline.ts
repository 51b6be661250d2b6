/**
 * Raised when a Redis operation did not answer within memotape's own deadline. node-redis's command timeout does
 * not cover a command that was already written to a server that then stopped answering (SIGSTOP, a partition), so
 * every operation is raced against this timer instead.
 */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';

  constructor(
    readonly operation: string,
    readonly milliseconds: number,
  ) {
    super(`Redis did not answer ${operation} within ${milliseconds} ms`);
  }
}

/**
 * Settles like `promise`, or rejects with a {@link DeadlineExceededError} after `milliseconds`. The late outcome of
 * `promise` is consumed, so it can never become an unhandled rejection. The timer keeps the process alive while it
 * runs (a call awaiting Redis must not let the process exit under it) and is cleared as soon as `promise` settles.
 */
export function withDeadline<T>(promise: Promise<T>, milliseconds: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(operation, milliseconds)), milliseconds);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Resolves after `milliseconds`; `unref` lets the process exit meanwhile. */
export function sleep(milliseconds: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    if (unref) timer.unref();
  });
}
