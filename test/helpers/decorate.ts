import { Memoizer, type StoredEntry } from '../../src/index.js';
import { internals } from '../../src/memoizer.js';

/*
 * Vitest's transform does not lower decorators, so decorator tests apply them as the compilers do: a standard
 * decorator gets `(value, context)` and its result replaces the member; a legacy one gets `(prototype or class, key,
 * descriptor)` and returns the descriptor to install. test/decorators-compiled.test.ts runs real tsc output.
 */
export type Flavour = 'standard' | 'legacy';
export type Decorator = (...args: any[]) => unknown;

/** Decorates `Class`'s member `key` (static with `isStatic`) as a compiler of `flavour` would. */
export function decorate(
  flavour: Flavour,
  Class: Function,
  key: string | symbol,
  decorator: Decorator,
  isStatic = false,
): void {
  const holder = isStatic ? Class : (Class.prototype as object);
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  if (descriptor === undefined) throw new Error(`no member ${String(key)}`);
  if (flavour === 'legacy') {
    Object.defineProperty(holder, key, (decorator(holder, key, descriptor) as PropertyDescriptor) ?? descriptor);
    return;
  }
  const kind = descriptor.get ? 'getter' : 'method';
  // A static member's initializers run at class definition, with the class; an instance member's at construction,
  // which these plain classes do not do (their members find their class at the first call instead).
  const initializers: Array<(this: unknown) => void> = [];
  const addInitializer = (initializer: (this: unknown) => void) => initializers.push(initializer);
  const context = { kind, name: key, static: isStatic, private: false, addInitializer, metadata: undefined };
  const replacement = decorator(descriptor.get ?? descriptor.value, context);
  if (replacement !== undefined)
    Object.defineProperty(holder, key, { ...descriptor, [descriptor.get ? 'get' : 'value']: replacement });
  if (isStatic) for (const initializer of initializers) initializer.call(Class);
}

// Persisted names are claimed per collection for the whole process (the dump and the disk share them), and each test
// defines its classes anew: a collection per memoizer keeps one test's classes from clashing with another's.
let collections = 0;

/** Options giving a memoizer a collection of its own. */
export function ownCollection(): { subKey: string } {
  return { subKey: `decorators-${++collections}` };
}

/** A memoizer with a writable in-memory "disk" tier: what a persistent memoizer looks like to the decorators. */
export function persistentMemoizer(store = new Map<string, StoredEntry>(), subKey = ownCollection().subKey): Memoizer {
  const memoizer = new Memoizer({ subKey });
  memoizer[internals].addTier({
    name: 'disk',
    store: {
      get: (key) => store.get(key),
      set: (key, value) => {
        store.set(key, value);
      },
      delete: (key) => store.delete(key),
      clear: () => store.clear(),
    },
  });
  return memoizer;
}
