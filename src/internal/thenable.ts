/**
 * Whether a value is a promise (or any thenable) to wait for. A `then` that cannot even be read (a revoked Proxy, a
 * throwing getter) makes it a plain value: the user's function succeeded, and its result must reach its caller.
 *
 * @example
 * ```ts
 * isThenable(Promise.resolve(1)); // true
 * isThenable({ then: 1 });        // false
 * ```
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
