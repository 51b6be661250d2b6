import { NamespaceError } from './errors.js';
import { Namespace } from './memory-tier.js';

/**
 * Who wants a persisted namespace: a function object (a plain function, or the original of a decorated method) or,
 * with `fn` undefined, an explicit `name` option (the user's deliberate choice, so every wrapper using it shares
 * entries). `description` names it in errors and warnings (`function parse`, `method Repo.prototype.find`).
 */
export interface NamespaceClaimant {
  readonly fn: Function | undefined;
  readonly description: string;
  /**
   * The claimed name is the base of per-key names (`base#<key>`, decorators with `instanceKey`): those are reserved
   * for this claimant too, without registering each key.
   */
  readonly keyed?: boolean;
  /** Said after the conflict, when the clash has a likely cause worth naming (symbol keys described alike). */
  readonly hint?: string;
}

interface Owner {
  readonly fn: WeakRef<Function> | undefined;
  readonly description: string;
  keyed: boolean;
}

const ownersByCollection = new Map<string, Map<string, Owner>>();

/** Whether `owner` still holds its name: an explicit name always does, a function until it is garbage-collected. */
function isAlive(owner: Owner): boolean {
  return owner.fn === undefined || owner.fn.deref() !== undefined;
}

/** Explicit names are shared by every wrapper using them; a function shares only with itself. */
function isSameOwner(owner: Owner, claimant: NamespaceClaimant): boolean {
  return owner.fn === undefined ? claimant.fn === undefined : owner.fn.deref() === claimant.fn;
}

function conflictWith(owner: Owner, claimant: NamespaceClaimant, what: string, collection: string): string {
  const alike = owner.description === claimant.description;
  const another = alike ? 'another ' : '';
  const why = claimant.hint ?? (alike ? 'a different class or function with the same name' : undefined);
  const hint = why === undefined ? '' : ` (${why})`;
  return `${what} is already used by ${another}${owner.description} in collection "${collection}"${hint}; give one of them a unique \`name\` option`;
}

/**
 * Claims the persisted namespace `persistName` in `collection` for `claimant`, within this process. Answers why it
 * cannot have it (another function or method owns the name, or reserved it as the base of its `instanceKey` names),
 * naming both; else `undefined`, and the name is the claimant's from then on (until its function is collected).
 */
export function claimPersistedName(
  collection: string,
  persistName: string,
  claimant: NamespaceClaimant,
): string | undefined {
  let owners = ownersByCollection.get(collection);
  if (!owners) {
    owners = new Map();
    ownersByCollection.set(collection, owners);
  }
  const blocks = (owner: Owner | undefined): boolean =>
    owner !== undefined && isAlive(owner) && !isSameOwner(owner, claimant);
  const existing = owners.get(persistName);
  if (existing !== undefined && blocks(existing)) {
    return conflictWith(existing, claimant, `the persisted namespace "${persistName}"`, collection);
  }
  // `base#key` belongs to the claimant of a keyed `base`, whichever of the two came first.
  for (let at = persistName.indexOf('#'); at !== -1; at = persistName.indexOf('#', at + 1)) {
    const base = persistName.slice(0, at);
    const owner = owners.get(base);
    if (owner?.keyed === true && blocks(owner)) {
      return conflictWith(
        owner,
        claimant,
        `the persisted namespace "${persistName}" (an \`instanceKey\` name of "${base}")`,
        collection,
      );
    }
  }
  if (claimant.keyed) {
    for (const [name, owner] of owners) {
      if (name.startsWith(`${persistName}#`) && blocks(owner)) {
        return conflictWith(
          owner,
          claimant,
          `the persisted namespace "${name}" (an \`instanceKey\` name of "${persistName}")`,
          collection,
        );
      }
    }
  }
  if (existing === undefined || !isAlive(existing)) {
    owners.set(persistName, {
      fn: claimant.fn === undefined ? undefined : new WeakRef(claimant.fn),
      description: claimant.description,
      keyed: claimant.keyed === true,
    });
  } else if (claimant.keyed) {
    existing.keyed = true;
  }
  return undefined;
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
      namespace.conflict = claimPersistedName(collection, name, explicitClaimant(name));
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
      ? claimPersistedName(collection, functionName, { fn, description: `function ${functionName}` })
      : 'the function is anonymous, so nothing identifies its entries in another process; give it a `name` option';
    namespaces.byFunction.set(fn, namespace);
  }
  if (strict && namespace.conflict) {
    throw new NamespaceError(namespace.displayName, `Cannot persist ${namespace.displayName}: ${namespace.conflict}.`);
  }
  return namespace;
}

/** The claimant of an explicit `name` option. */
export function explicitClaimant(name: string, keyed = false): NamespaceClaimant {
  return { fn: undefined, description: `the \`name\` option "${name}"`, keyed };
}
