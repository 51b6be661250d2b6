import { classNameOf, MemberNames, memberName, type PersistedName } from './decorator-names.js';
import { DecoratorError } from './errors.js';
import { attachFreshnessMethods, freshnessMethodsOf } from './freshness/memoized.js';
import { MethodViews } from './freshness/method-views.js';
import type { Memoizer } from './memoizer.js';
import { type MemoryTier, Namespace } from './memory-tier.js';
import type { AnyFunction, DecoratorOptions, WrapOptions } from './options.js';
import { copyFunctionIdentity, type WrapperKind } from './wrap.js';

/** What a decorator needs from its memoizer; built by `Memoizer.wrapWith`. */
export interface DecoratorTarget {
  readonly memoizer: Memoizer;
  readonly kind: WrapperKind;
  readonly options: WrapOptions & DecoratorOptions;
  readonly memory: MemoryTier;
  /** Whether entries must have a stable name in another process (persistent memoizers). Asked at decoration. */
  requiresPersistedNamespace(): boolean;
}

/** The class member being decorated, as either decorator flavour describes it. */
export interface DecoratedMember {
  /** The property key; for a private member, its `#name`. */
  readonly key: string | symbol;
  readonly kind: 'method' | 'getter';
  readonly isStatic: boolean;
  readonly isPrivate: boolean;
  /** The prototype (or, for a static member, the class) that defines it, when the decorator is told (legacy). */
  readonly owner: object | undefined;
}

/**
 * What decorating a member gives: the function that replaces it and, for a method that is not private, the
 * per-instance views that carry `invalidate` and `peek` (installed by the decorator flavour as an accessor).
 */
export interface DecoratedReplacement {
  readonly replacement: AnyFunction;
  readonly views: MethodViews | undefined;
  /**
   * Claims the member's persisted name from an instance (or the class, for a static member) once its class is known:
   * standard decorators call it from an initializer, so a clash is refused at class definition (static members) or
   * first construction rather than at the first call. Legacy decorators have claimed it already.
   */
  readonly claimNamespace: (self: object) => void;
}

// Entries live in the memoizer's LRU list, not in the instance: without this they would outlive it.
const releaseWithInstance = new FinalizationRegistry<{ memory: MemoryTier; namespace: Namespace }>(
  ({ memory, namespace }) => memory.dropNamespace(namespace),
);

// Per memory tier and instance, the namespaces of decorators given the same `name` option: a `record` and a `replay`
// method named alike share entries within one instance, as function wrappers with one `name` do.
const namedNamespaces = new WeakMap<MemoryTier, WeakMap<object, Map<string, Namespace>>>();

function isInstance(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * The holder of `member` in the prototype chain of `self`. `exact` when it holds `replacement` itself; otherwise
 * another decorator wrapped ours, and the first holder is the defining class unless a subclass overrides the member.
 */
function findOwner(
  self: object,
  member: DecoratedMember,
  replacement: AnyFunction,
  views: MethodViews | undefined,
): { holder: object; exact: boolean } | undefined {
  let firstHolder: object | undefined;
  for (let holder: object | null = self; holder !== null; holder = Object.getPrototypeOf(holder)) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, member.key);
    if (descriptor === undefined) continue;
    if ((member.kind === 'getter' ? descriptor.get : descriptor.value) === replacement) return { holder, exact: true };
    if (views?.installedIn(descriptor)) return { holder, exact: true };
    firstHolder ??= holder;
  }
  return firstHolder === undefined ? undefined : { holder: firstHolder, exact: false };
}

/**
 * Installs the per-instance views of a method on the first holder of `key` in the prototype chain of `self` whose
 * value is `replacement` (standard decorators: called by an initializer, with the instance, or the class for a
 * static member).
 */
export function installViews(self: object, key: string | symbol, replacement: AnyFunction, views: MethodViews): void {
  for (let holder: object | null = self; holder !== null; holder = Object.getPrototypeOf(holder)) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, key);
    if (descriptor === undefined) continue;
    if (views.installedIn(descriptor)) return;
    if (descriptor.value === replacement) {
      views.install(holder);
      return;
    }
  }
}

/** Throws at class definition when the member cannot be decorated as asked. */
function checkDecoratable(target: DecoratorTarget, member: DecoratedMember, label: string): void {
  const { options, kind } = target;
  const identified = options.instanceKey !== undefined || options.shared === true;
  const persisted = target.requiresPersistedNamespace();
  if (persisted && !identified && !member.isStatic) {
    throw new DecoratorError(
      label,
      `Cannot ${kind} ${label} per instance on a persistent memoizer: an instance has no identity in another process. Give the decorator an \`instanceKey: (self) => string\` option (entries then persist per key) or \`shared: true\` (one namespace for every instance).`,
    );
  }
  if (member.isPrivate && !member.isStatic && options.name === undefined && (persisted || identified)) {
    throw new DecoratorError(
      label,
      `Cannot name the persisted entries of ${label}: a private method does not reveal its class. Give the decorator a \`name\` option.`,
    );
  }
}

/**
 * Builds the function that replaces a decorated method or getter. By default each instance (each class, for a static
 * member) gets its own namespace, created at its first call and dropped when it is garbage-collected; a call then
 * pays one WeakMap lookup before the core wrapper. With `shared: true`, one namespace serves every instance.
 */
export function decorateMember(
  target: DecoratorTarget,
  member: DecoratedMember,
  original: AnyFunction,
): DecoratedReplacement {
  const { options } = target;
  const name = memberName(member.key);
  const label = member.owner === undefined ? name : `${classNameOf(member.owner, member.isStatic)}.${name}`;
  checkDecoratable(target, member, label);
  const names = new MemberNames(target, member, original);
  // Legacy decorators are told the class: a clash of persisted names is refused here, at class definition.
  if (member.owner !== undefined) names.claimBase(member.owner);

  let owner = member.owner;
  let replacement: AnyFunction;
  let views: MethodViews | undefined;
  // The class defining the member names its namespaces (see decorator-names.ts). Standard decorators are not told
  // that class: it is found from the first instance that calls the member.
  const ownerOf = (self: unknown): object | undefined => {
    if (owner !== undefined || !isInstance(self)) return owner;
    if (member.isPrivate) return member.isStatic ? self : undefined;
    const found = findOwner(self, member, replacement, views);
    if (found?.exact) owner = found.holder;
    return found?.holder;
  };
  // The name shown in stats and errors: the persisted base name, or for a private instance method (never persisted
  // without a `name`) the calling instance's class.
  const displayNameOf = (self: unknown): string => {
    const holder = ownerOf(self);
    return (
      names.base(holder) ??
      names.format(holder === undefined && isInstance(self) ? classNameOf(self, member.isStatic) : '<anonymous>')
    );
  };
  const claimNamespace = (self: object): void => {
    if (member.owner === undefined) names.claimBase(ownerOf(self));
  };

  if (options.shared === true) {
    let shared: AnyFunction | undefined;
    // With a `name` option, the explicit-name path of the memoizer: shared by decorators and wrappers given that name.
    // Otherwise a namespace of this member's own, whose persisted name is claimed for it.
    const sharedNamespace = (self: unknown): Namespace => {
      const holder = ownerOf(self);
      return namespaceNamed(displayNameOf(self), names.shared(holder));
    };
    const sharedFor = (self: unknown): AnyFunction =>
      (shared ??=
        options.name !== undefined
          ? target.memoizer.wrapFunction(target.kind, original, options)
          : target.memoizer.wrapFunction(target.kind, original, options, sharedNamespace(self)));
    replacement = function sharedMember(this: unknown, ...args: unknown[]) {
      return sharedFor(this).apply(this, args);
    };
    names.replacedBy(replacement);
    // Before the first call a standard decorator does not know its class, so nothing can be named (or cached) yet.
    const named = () =>
      freshnessMethodsOf(
        shared ?? (options.name !== undefined || owner !== undefined ? sharedFor(undefined) : undefined),
      );
    attachFreshnessMethods(replacement, {
      invalidate: (...args: unknown[]) => named()?.invalidate?.(...args) ?? Promise.resolve(),
      peek: (...args: unknown[]) => named()?.peek?.(...args),
    });
    return { replacement: copyFunctionIdentity(replacement, original), views: undefined, claimNamespace };
  }

  const instanceKeyOf = (self: object, displayName: string): string | undefined => {
    if (options.instanceKey === undefined) return undefined;
    const instanceKey: unknown = options.instanceKey(self);
    if (typeof instanceKey !== 'string' || instanceKey === '') {
      const got = typeof instanceKey === 'string' ? 'an empty string' : typeof instanceKey;
      throw new TypeError(`Expected \`instanceKey\` to return a non-empty string for ${displayName}, got ${got}`);
    }
    return instanceKey;
  };

  const namespaceFor = (self: object): Namespace => {
    const displayName = displayNameOf(self);
    let named: Map<string, Namespace> | undefined;
    if (options.name !== undefined) {
      let byInstance = namedNamespaces.get(target.memory);
      if (byInstance === undefined) {
        byInstance = new WeakMap();
        namedNamespaces.set(target.memory, byInstance);
      }
      named = byInstance.get(self);
      if (named === undefined) {
        named = new Map();
        byInstance.set(self, named);
      }
      const existing = named.get(options.name);
      if (existing !== undefined) return existing;
    }
    const namespace = namespaceNamed(displayName, names.of(self, ownerOf(self), instanceKeyOf(self, displayName)));
    named?.set(displayName, namespace); // displayName is the `name` option here
    releaseWithInstance.register(self, { memory: target.memory, namespace });
    return namespace;
  };

  const wrappedByInstance = new WeakMap<object, AnyFunction>();
  const wrapFor = (self: object): AnyFunction => {
    const wrapped = target.memoizer.wrapFunction(target.kind, original, options, namespaceFor(self));
    wrappedByInstance.set(self, wrapped);
    return wrapped;
  };
  const wrappedFor = (self: object): AnyFunction => wrappedByInstance.get(self) ?? wrapFor(self);
  replacement = function perInstanceMember(this: unknown, ...args: unknown[]) {
    if (!isInstance(this)) {
      throw new DecoratorError(
        label,
        `${label} was called without an instance (\`this\` is ${String(this)}): call it on an instance, or bind it.`,
      );
    }
    return wrappedFor(this).apply(this, args);
  };
  names.replacedBy(replacement);
  copyFunctionIdentity(replacement, original);
  // A getter's value is not a function (nothing to carry `invalidate`), and a #private method cannot be redefined.
  if (member.kind === 'method' && !member.isPrivate) {
    views = new MethodViews({ key: member.key, original, replacement, wrappedFor, isStatic: member.isStatic });
  }
  return { replacement, views, claimNamespace };
}

function namespaceNamed(displayName: string, { persistName, conflict }: PersistedName): Namespace {
  const namespace = new Namespace(displayName, persistName);
  namespace.conflict = conflict;
  return namespace;
}
