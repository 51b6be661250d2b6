import { NamespaceError } from './errors.js';
import { Namespace } from './memory-tier.js';

/**
 * Who owns a persisted namespace within one dump collection: a function object (named by its `.name`) or an
 * explicit `name` option (the user's deliberate choice, so every wrapper using it shares entries).
 */
type Owner = { readonly kind: 'function'; readonly fn: WeakRef<Function> } | { readonly kind: 'explicit' };

const ownersByCollection = new Map<string, Map<string, Owner>>();

function describeOwner(owner: Owner): string {
  return owner.kind === 'explicit' ? 'an explicit `name` option' : 'another function with the same name';
}

/**
 * Claims the persisted namespace `persistName` in `collection` for `owner`. Answers a description of the conflict
 * when a different function already owns it, else `undefined`.
 */
function claim(collection: string, persistName: string, fn: Function | undefined): string | undefined {
  let owners = ownersByCollection.get(collection);
  if (!owners) {
    owners = new Map();
    ownersByCollection.set(collection, owners);
  }
  const existing = owners.get(persistName);
  const owner: Owner = fn === undefined ? { kind: 'explicit' } : { kind: 'function', fn: new WeakRef(fn) };
  if (existing === undefined || (existing.kind === 'function' && existing.fn.deref() === undefined)) {
    owners.set(persistName, owner);
    return undefined;
  }
  if (existing.kind === 'explicit' && fn === undefined) return undefined;
  if (existing.kind === 'function' && fn !== undefined && existing.fn.deref() === fn) return undefined;
  return `the persisted namespace "${persistName}" is already used by ${describeOwner(existing)} in collection "${collection}"; give each function a unique \`name\` option`;
}

/**
 * Resolves the namespace of a wrapper. An explicit `name` is shared by every wrapper using it; otherwise the
 * function object is the namespace in memory and its `.name` in anything persisted. With `strict` (memoizers with
 * persisted tiers), an anonymous function or a name clash throws {@link NamespaceError}; otherwise the namespace is
 * marked so the dump leaves it out with a warning.
 */
export function resolveNamespace(
  namespaces: { byName: Map<string, Namespace>; byFunction: WeakMap<Function, Namespace> },
  collection: string,
  fn: Function,
  name: string | undefined,
  strict: boolean,
): Namespace {
  if (name !== undefined) {
    let namespace = namespaces.byName.get(name);
    if (!namespace) {
      namespace = new Namespace(name, name);
      namespace.conflict = claim(collection, name, undefined);
      namespaces.byName.set(name, namespace);
    }
    if (strict && namespace.conflict) throw new NamespaceError(name, `Cannot persist ${name}: ${namespace.conflict}.`);
    return namespace;
  }
  let namespace = namespaces.byFunction.get(fn);
  if (!namespace) {
    const functionName = fn.name;
    namespace = new Namespace(functionName || '<anonymous>', functionName || undefined);
    namespace.conflict = functionName
      ? claim(collection, functionName, fn)
      : 'the function is anonymous, so nothing identifies its entries in another process; give it a `name` option';
    namespaces.byFunction.set(fn, namespace);
  }
  if (strict && namespace.conflict) {
    throw new NamespaceError(namespace.displayName, `Cannot persist ${namespace.displayName}: ${namespace.conflict}.`);
  }
  return namespace;
}
