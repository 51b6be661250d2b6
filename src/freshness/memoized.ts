import type { AnyFunction } from '../options.js';

/**
 * What every function wrapped by `record`, `replay` or `memoize` has on top of being callable.
 *
 * @example
 * ```ts
 * const getUser = memoizer.memoize({ name: 'getUser' })(loadUser);
 * getUser.peek(123);             // the cached result, or undefined; nothing runs, no hit is counted
 * await getUser.invalidate(123); // gone from memory, the preload tier, disk and Redis
 * ```
 */
export interface FreshnessMethods<F extends AnyFunction> {
  /**
   * Drops the entry of exactly this call from every tier: memory, the preloaded dump (for this memoizer), disk and
   * the remote tier. A call of these arguments still in flight returns its result to its callers, but does not store
   * it. Memory and disk are done when it returns; the promise settles when the remote tier is done too. Never
   * rejects.
   */
  invalidate(...args: Parameters<F>): Promise<void>;
  /**
   * The cached result of this call as a hit would return it (for an async function, a promise), or `undefined`.
   * Looks in memory, then in the preloaded dump and on disk (not in a remote tier); never runs the function, never
   * counts a hit and never fills memory. A stale result (`staleWhileRevalidate`) is returned as it is.
   */
  peek(...args: Parameters<F>): ReturnType<F> | undefined;
}

/**
 * A wrapped function: the function's own type (overloads and generics kept) plus `invalidate` and `peek`.
 *
 * @example
 * ```ts
 * import type { Memoized } from 'memotape';
 * const getUser: Memoized<typeof loadUser> = memoizer.memoize()(loadUser);
 * ```
 */
export type Memoized<F extends AnyFunction> = F & FreshnessMethods<F>;

/**
 * Types a decorated method (or any wrapped function) as {@link Memoized}, checking at run time that it is one.
 * Decorators cannot change a method's type, so `asMemoized(this.area).invalidate(2, 3)` is how a method reaches its
 * `invalidate` and `peek` in TypeScript.
 *
 * @example
 * ```ts
 * class Geometry {
 *   @memoizer.memoize() area(width: number, height: number) { return width * height; }
 *   resize() { asMemoized(this.area).invalidate(2, 3); }
 * }
 * ```
 */
export function asMemoized<F extends AnyFunction>(fn: F): Memoized<F> {
  const candidate = fn as Partial<FreshnessMethods<F>> | undefined;
  if (typeof candidate?.invalidate !== 'function' || typeof candidate.peek !== 'function') {
    throw new TypeError('Expected a function wrapped by record, replay or memoize');
  }
  return fn as Memoized<F>;
}

/** @internal The `invalidate` and `peek` of a wrapper, or nothing for a function that is not one. */
export function freshnessMethodsOf(fn: AnyFunction | undefined): Partial<FreshnessMethods<AnyFunction>> | undefined {
  return fn as Partial<FreshnessMethods<AnyFunction>> | undefined;
}

/** @internal Gives a wrapper its `invalidate` and `peek` (not enumerable, like a function's own `name`). */
export function attachFreshnessMethods<F extends AnyFunction>(
  wrapper: F,
  methods: FreshnessMethods<AnyFunction>,
): Memoized<F> {
  Object.defineProperties(wrapper, {
    invalidate: { value: methods.invalidate, configurable: true, writable: true },
    peek: { value: methods.peek, configurable: true, writable: true },
  });
  return wrapper as Memoized<F>;
}

/** What a function answers with caching off: there is no entry to drop and none to show. */
const WITHOUT_CACHE: FreshnessMethods<AnyFunction> = {
  invalidate: () => Promise.resolve(),
  peek: () => undefined,
};

/**
 * @internal With caching off (disabled, or a fixture tape in `off` mode), `record` and `memoize` return the function
 * itself, as the seed does. Code written against {@link Memoized} still runs: the function gets an `invalidate` that
 * resolves at once and a `peek` that answers `undefined`, both not enumerable. A function that has its own methods
 * of those names (a wrapper wrapped again) keeps them, and a frozen one is returned as it is.
 */
export function withoutCache<F extends AnyFunction>(fn: F): F {
  if (Object.isExtensible(fn) && !Object.hasOwn(fn, 'invalidate') && !Object.hasOwn(fn, 'peek')) {
    attachFreshnessMethods(fn, WITHOUT_CACHE);
  }
  return fn;
}
