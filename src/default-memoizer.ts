import { isLegacyDecoratorCall } from './decorator-legacy.js';
import { isStandardDecoratorContext } from './decorator-standard.js';
import type { Memoized } from './freshness/memoized.js';
import { Memoizer } from './memoizer.js';
import type { AnyFunction, DecoratorOptions, WrapOptions } from './options.js';
import type { Wrap } from './wrap-or-decorate.js';

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
 * Memoizes on the default memoizer: replay a stored result, else run and record. Three forms:
 * `memoize(fn, options?)` wraps a function and keeps its name, length and full type; `memoize(options?)` returns a
 * wrapper that is also a method decorator; bare `@memoize` decorates a method or getter with no options. Decorators
 * work as TypeScript 5 standard decorators and as legacy `experimentalDecorators`; entries are kept per instance.
 *
 * @example
 * ```ts
 * import { memoize } from 'memotape';
 * const quick = memoize(slow);
 * const quick2 = memoize(slow, { name: 'slow' });
 * class Geometry {
 *   @memoize area(width: number, height: number) { return width * height; }
 *   @memoize({ ttl: 60_000 }) static parse(text: string) { return JSON.parse(text); }
 *   @memoize() get expensive() { return compute(); } // once per instance
 * }
 * ```
 */
export function memoize<This, Method extends (this: This, ...args: any) => any>(
  method: Method,
  context: ClassMethodDecoratorContext<This, Method>,
): Method;
export function memoize<This, Value>(
  getter: (this: This) => Value,
  context: ClassGetterDecoratorContext<This, Value>,
): (this: This) => Value;
export function memoize<T>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
): TypedPropertyDescriptor<T>;
export function memoize<F extends AnyFunction>(fn: F, options?: WrapOptions<Parameters<F>, ReturnType<F>>): Memoized<F>;
export function memoize<A extends unknown[] = any[], R = unknown, E = unknown>(
  options?: WrapOptions<A, R, E> & DecoratorOptions,
): Wrap;
export function memoize(first?: unknown, second?: unknown, descriptor?: unknown): unknown {
  // A bare decorator: `(method, context)` (standard) or `(prototype or class, key, descriptor)` (legacy).
  if (isStandardDecoratorContext(second) || isLegacyDecoratorCall(second)) {
    return (getDefaultMemoizer().memoize() as AnyFunction)(first, second, descriptor);
  }
  if (typeof first === 'function') {
    return getDefaultMemoizer().memoize((second ?? {}) as WrapOptions)(first as AnyFunction);
  }
  return getDefaultMemoizer().memoize((first ?? {}) as WrapOptions & DecoratorOptions);
}
