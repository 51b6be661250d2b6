import { decorateLegacy, isLegacyDecoratorCall } from './decorator-legacy.js';
import { decorateStandard, isStandardDecoratorContext } from './decorator-standard.js';
import type { DecoratorTarget } from './decorators.js';
import type { Memoized } from './freshness/memoized.js';
import type { Memoizer } from './memoizer.js';
import type { MemoryTier } from './memory-tier.js';
import {
  type AnyFunction,
  DECORATOR_OPTION_NAMES,
  type DecoratorOptions,
  validateDecoratorOptions,
  validateWrapOptions,
  type WrapOptions,
} from './options.js';
import type { WrapperKind } from './wrap.js';

/**
 * What `record(options)`, `replay(options)` and `memoize(options)` return: a function wrapper that keeps the wrapped
 * function's type (plus `invalidate` and `peek`, see {@link Memoized}), and a method decorator for both TypeScript 5 standard decorators and legacy
 * `experimentalDecorators`, told apart by how it is called.
 *
 * @example
 * ```ts
 * const fast = memoizer.memoize()(slow); // a function wrapper
 * class Geometry {
 *   @memoizer.memoize() area(width: number, height: number) { return width * height; } // a method decorator
 * }
 * ```
 */
export interface Wrap {
  /** Wraps a function: the wrapper keeps its type (overloads, generics) and adds `invalidate` and `peek`. */
  <F extends AnyFunction>(fn: F, noContext?: never): Memoized<F>;
  /** A standard decorator on a method, static or not (per instance, or per class for a static method). */
  <This, Method extends (this: This, ...args: any) => any>(
    method: Method,
    context: ClassMethodDecoratorContext<This, Method>,
  ): Method;
  /** A standard decorator on a getter: computed once per instance. */
  <This, Value>(
    getter: (this: This) => Value,
    context: ClassGetterDecoratorContext<This, Value>,
  ): (this: This) => Value;
  /** A legacy (`experimentalDecorators`) decorator on a method or getter. */
  <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
}

/** What `Memoizer.wrapWith` hands over on top of the memoizer itself. */
export interface WrapOrDecorateHost {
  readonly memory: MemoryTier;
  /** Wrap option names the memoizer's class accepts on top of the core ones. */
  readonly extraOptionNames: ReadonlySet<string>;
  requiresPersistedNamespace(): boolean;
}

function isClassPrototype(value: object): boolean {
  const owner = Object.hasOwn(value, 'constructor') ? (value as { constructor: unknown }).constructor : undefined;
  return typeof owner === 'function' && owner.prototype === value;
}

/** Checks the options at once, and explains a decorator written without its parentheses. */
function checkOptions(kind: WrapperKind, options: unknown, extraNames: ReadonlySet<string>): void {
  if (typeof options === 'function' || (typeof options === 'object' && options !== null && isClassPrototype(options))) {
    throw new TypeError(
      `Expected an options object for \`${kind}()\`, got a function or class: wrap a function with \`${kind}()(fn)\` and decorate a method with \`@memoizer.${kind}()\`, with the parentheses.`,
    );
  }
  validateWrapOptions(options as WrapOptions, new Set([...DECORATOR_OPTION_NAMES, ...extraNames]));
  validateDecoratorOptions(options as DecoratorOptions);
}

/** Builds what `record(options)`, `replay(options)` and `memoize(options)` return. */
export function createWrapOrDecorator(
  memoizer: Memoizer,
  kind: WrapperKind,
  options: WrapOptions & DecoratorOptions,
  host: WrapOrDecorateHost,
): Wrap {
  checkOptions(kind, options, host.extraOptionNames);
  const target: DecoratorTarget = {
    memoizer,
    kind,
    options,
    memory: host.memory,
    requiresPersistedNamespace: host.requiresPersistedNamespace,
  };
  return function wrapOrDecorate(value: unknown, context?: unknown, descriptor?: unknown): unknown {
    if (isStandardDecoratorContext(context)) return decorateStandard(target, value, context);
    if (isLegacyDecoratorCall(context)) return decorateLegacy(target, value, context, descriptor);
    if (typeof value !== 'function') throw new TypeError(`Expected a function to ${kind}, got ${typeof value}`);
    if (options.instanceKey !== undefined || options.shared === true) {
      throw new TypeError('The `instanceKey` and `shared` options apply to method decorators only');
    }
    return memoizer.wrapFunction(kind, value as AnyFunction, options);
  } as Wrap;
}
