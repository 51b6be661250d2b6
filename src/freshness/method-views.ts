import type { AnyFunction } from '../options.js';
import { copyFunctionIdentity } from '../wrap.js';
import { attachFreshnessMethods, freshnessMethodsOf } from './memoized.js';

/*
 * `this.method.invalidate(...)` on a decorated method. A method lives on the prototype, shared by every instance,
 * while its entries live per instance: reading `instance.method` must give a function that knows its instance. So the
 * member becomes an accessor (at decoration for legacy decorators, at the first construction for standard ones, and
 * at class definition for static members) whose getter answers a per-instance view: a function that calls the method
 * as before (with whatever `this` it is called on) and carries `invalidate` and `peek` for its instance. Views are
 * made at first read and kept in a WeakMap, so `instance.method === instance.method` still holds.
 */

/** What the views of one decorated member need. */
export interface MethodViewSource {
  readonly key: string | symbol;
  readonly original: AnyFunction;
  readonly replacement: AnyFunction;
  /** The wrapped function of one instance, created on demand (the method itself when caching is disabled). */
  wrappedFor(self: object): AnyFunction;
  /** A static member: the class holding it reads as a view too (its entries are per class). */
  readonly isStatic: boolean;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** The per-instance views of one decorated member, and the accessor that hands them out. */
export class MethodViews {
  readonly #source: MethodViewSource;
  readonly #views = new WeakMap<object, AnyFunction>();
  readonly #getters = new WeakSet<Function>();

  constructor(source: MethodViewSource) {
    this.#source = source;
  }

  /** Whether `descriptor` is an accessor these views installed. */
  installedIn(descriptor: PropertyDescriptor): boolean {
    return descriptor.get !== undefined && this.#getters.has(descriptor.get);
  }

  /** The accessor to install on `holder` (the prototype, or the class of a static member) in place of the method. */
  descriptor(holder: object, enumerable: boolean): PropertyDescriptor {
    const { key, replacement, isStatic } = this.#source;
    const views = this;
    const get = function member(this: unknown): unknown {
      if (!isObject(this) || (this === holder && !isStatic)) return replacement;
      return views.#viewOf(this);
    };
    this.#getters.add(get);
    return {
      get,
      set(this: unknown, value: unknown) {
        // Assigning to the member of an instance gives it an own property, as it would with a plain method.
        Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
      },
      enumerable,
      configurable: true,
    };
  }

  /**
   * Replaces the data property of `holder` that holds the replacement by the accessor. Changes nothing when the
   * property is not there as expected (another decorator replaced it, or it cannot be redefined).
   */
  install(holder: object): void {
    const { key, replacement } = this.#source;
    const descriptor = Object.getOwnPropertyDescriptor(holder, key);
    if (descriptor?.value !== replacement || descriptor.configurable !== true) return;
    Object.defineProperty(holder, key, this.descriptor(holder, descriptor.enumerable ?? false));
  }

  #viewOf(self: object): AnyFunction {
    let view = this.#views.get(self);
    if (view !== undefined) return view;
    const { replacement, original } = this.#source;
    const wrapped = () => freshnessMethodsOf(this.#source.wrappedFor(self));
    view = copyFunctionIdentity(function memberOf(this: unknown, ...args: unknown[]) {
      return replacement.apply(this, args);
    }, original);
    attachFreshnessMethods(view, {
      invalidate: (...args: unknown[]) => wrapped()?.invalidate?.(...args) ?? Promise.resolve(),
      peek: (...args: unknown[]) => wrapped()?.peek?.(...args),
    });
    this.#views.set(self, view);
    return view;
  }
}
