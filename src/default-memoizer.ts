import { Memoizer } from './memoizer.js';
import type { AnyFunction, WrapOptions } from './options.js';

let defaultMemoizer: Memoizer | undefined;

/**
 * The memoizer behind the module-level {@link memoize}, created at first use (collection `"null"`).
 *
 * @example
 * ```ts
 * import { getDefaultMemoizer } from 'memotape';
 * getDefaultMemoizer().cacheClear();
 * ```
 */
export function getDefaultMemoizer(): Memoizer {
  defaultMemoizer ??= new Memoizer();
  return defaultMemoizer;
}

/**
 * Memoizes `fn` on the default memoizer: replay a stored result, else run and record. Keeps `fn`'s name, length
 * and full type.
 *
 * @example
 * ```ts
 * import { memoize } from 'memotape';
 * const quick = memoize(slow);
 * const quick2 = memoize(slow, { name: 'slow' });
 * ```
 */
export function memoize<F extends AnyFunction>(fn: F, options?: WrapOptions<Parameters<F>, ReturnType<F>>): F;
export function memoize<F extends AnyFunction>(fn: F, options: WrapOptions = {}): F {
  if (typeof fn !== 'function') throw new TypeError(`Expected a function to memoize, got ${typeof fn}`);
  return getDefaultMemoizer().memoize(options)(fn);
}
