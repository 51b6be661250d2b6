import type { DecoratedMember, DecoratorTarget } from './decorators.js';
import { NamespaceError } from './errors.js';
import { claimPersistedName, explicitClaimant, type NamespaceClaimant } from './namespace-registry.js';

/*
 * The persisted names of decorated members, and their claims. Without a `name` option a member is named after the
 * class that defines it, in a form that tells statics from instance methods:
 *
 *   static method            `Class.member`            (called on a subclass Sub: `Class.member@Sub`)
 *   instance method          `Class.prototype.member`  (with `instanceKey`: `Class.prototype.member#<key>`)
 *   symbol key               `[description]` in place of `member`
 *
 * With a `name` option, that name replaces `Class.member` / `Class.prototype.member` (`name#<key>`, `name@Sub`).
 * `@` and `#` keep a subclass's name and an instance key apart even under one `name`. Each name is claimed in the
 * process-wide registry (src/namespace-registry.ts) with the decorated function as owner, as a plain function's
 * `.name` is: another class or function under the same name (two classes named alike, two symbols described alike)
 * is refused with a NamespaceError on a memoizer that persists, or left out of the dump on a plain Memoizer.
 */

/** Why a per-instance method without `instanceKey` or `shared: true` has no persisted name. */
export const NO_INSTANCE_IDENTITY =
  'a per-instance method has no identity in another process (give the decorator an `instanceKey` or `shared: true` option)';

const NO_CLASS_NAME =
  'its class has no name (or was not found from `this`), so nothing identifies its entries in another process; give the decorator a `name` option';

const SYMBOL_HINT = 'symbol keys with the same description cannot be told apart in another process';

/** A member's name in namespaces: a symbol key as `[description]`. */
export function memberName(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? ''}]` : key;
}

/** The name of the class of `holder`: the class itself for a static member, else the prototype's constructor. */
export function classNameOf(holder: object, isStatic: boolean): string {
  const name = isStatic ? (holder as Function).name : (holder as { constructor?: Function }).constructor?.name;
  return name || '<anonymous>';
}

// The replacements this module's decorators made, to the function they decorate: decorating a decorated member again
// (two memoizers stacked on one method) claims its names as the same owner, not as a different function.
const decoratedOriginals = new WeakMap<Function, Function>();

/** Where a namespace of a decorated member persists, or why it does not (`persistName` undefined, or a conflict). */
export interface PersistedName {
  readonly persistName: string | undefined;
  readonly conflict: string | undefined;
}

/** The names of one decorated member: formats them, claims them (once each) and refuses a clash when persisting. */
export class MemberNames {
  readonly #target: DecoratorTarget;
  readonly #member: DecoratedMember;
  readonly #name: string;
  readonly #owner: Function;
  readonly #claims = new Map<string, string | undefined>();

  constructor(target: DecoratorTarget, member: DecoratedMember, original: Function) {
    this.#target = target;
    this.#member = member;
    this.#name = memberName(member.key);
    this.#owner = decoratedOriginals.get(original) ?? original;
  }

  /** Records that `replacement` decorates this member (see decoratedOriginals). */
  replacedBy(replacement: Function): void {
    decoratedOriginals.set(replacement, this.#owner);
  }

  /** `Class.member` or `Class.prototype.member`, for a class named `className`. */
  format(className: string): string {
    return this.#member.isStatic ? `${className}.${this.#name}` : `${className}.prototype.${this.#name}`;
  }

  /** The name without `#key` or `@Sub`: the `name` option, else after the class that defines the member. */
  base(holder: object | undefined): string | undefined {
    if (this.#target.options.name !== undefined) return this.#target.options.name;
    if (holder === undefined) return undefined;
    const className = classNameOf(holder, this.#member.isStatic);
    return className === '<anonymous>' ? undefined : this.format(className);
  }

  /** Whether this member's entries are meant to persist (a static member, `instanceKey` or `shared: true`). */
  get persists(): boolean {
    const { options } = this.#target;
    return this.#member.isStatic || options.shared === true || options.instanceKey !== undefined;
  }

  /**
   * Claims the base name of a member defined by `holder`, when its entries persist: at class definition (legacy
   * decorators; the initializer of standard ones), so a clash is refused before any call. A class without a name
   * (yet: a class expression may be named after its initializers ran) is left to the first call.
   */
  claimBase(holder: object | undefined): void {
    const base = this.persists ? this.base(holder) : undefined;
    if (base !== undefined) this.#claim(base, base);
  }

  /** The persisted name of the one namespace of a `shared: true` member defined by `holder`, claimed. */
  shared(holder: object | undefined): PersistedName {
    const base = this.base(holder);
    if (base === undefined) return this.#refuse(this.#display(holder), NO_CLASS_NAME);
    return { persistName: base, conflict: this.#claim(base, base) };
  }

  /**
   * The persisted name of the entries of `self` (an instance, or for a static member a class) of a member defined by
   * `holder`, claimed; `instanceKey` is what the option answered for `self`, if it is given.
   */
  of(self: object, holder: object | undefined, instanceKey: string | undefined): PersistedName {
    const base = this.base(holder);
    if (instanceKey !== undefined) {
      if (base === undefined) return this.#refuse(this.#display(holder), NO_CLASS_NAME);
      return { persistName: `${base}#${instanceKey}`, conflict: this.#claim(base, base) };
    }
    if (!this.#member.isStatic) return { persistName: undefined, conflict: NO_INSTANCE_IDENTITY };
    if (base === undefined) return this.#refuse(this.#display(holder), NO_CLASS_NAME);
    if (self === holder) return { persistName: base, conflict: this.#claim(base, base) };
    // A subclass calling an inherited static: a class is its own identity across processes, so it gets its own entries.
    const subclass = (self as Function).name;
    if (!subclass) return this.#refuse(`${base}@<anonymous>`, NO_CLASS_NAME);
    const persistName = `${base}@${subclass}`;
    return { persistName, conflict: this.#claim(persistName, base) };
  }

  #display(holder: object | undefined): string {
    return holder === undefined ? this.#name : this.format(classNameOf(holder, this.#member.isStatic));
  }

  #claimant(base: string): NamespaceClaimant {
    const keyed = this.#target.options.instanceKey !== undefined;
    const { name } = this.#target.options;
    if (name !== undefined) return explicitClaimant(name, keyed);
    const { kind, isStatic, key } = this.#member;
    const description = `${isStatic ? 'static ' : ''}${kind} ${base}`;
    const claimant = { fn: this.#owner, description, keyed };
    return typeof key === 'symbol' ? { ...claimant, hint: SYMBOL_HINT } : claimant;
  }

  /** Claims `persistName` once; a conflict throws on a memoizer that persists, else marks the namespace. */
  #claim(persistName: string, base: string): string | undefined {
    let conflict: string | undefined;
    if (this.#claims.has(persistName)) conflict = this.#claims.get(persistName);
    else {
      conflict = claimPersistedName(this.#target.memoizer.collection, persistName, this.#claimant(base));
      this.#claims.set(persistName, conflict);
    }
    if (conflict !== undefined && this.#target.requiresPersistedNamespace()) {
      throw new NamespaceError(persistName, `Cannot persist ${this.#claimant(base).description}: ${conflict}.`);
    }
    return conflict;
  }

  /** No persisted name: throws on a memoizer that persists, as for an anonymous function; else the dump skips it. */
  #refuse(display: string, reason: string): PersistedName {
    if (this.#target.requiresPersistedNamespace()) {
      throw new NamespaceError(display, `Cannot persist ${display}: ${reason}.`);
    }
    return { persistName: undefined, conflict: reason };
  }
}
