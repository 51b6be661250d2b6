import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSettingsForTests } from '../src/config.js';
import { Memoizer, PersistentMemoizer, type StoredEntry } from '../src/index.js';
import { resetWarningsForTests } from '../src/internal/warn.js';
import { internals } from '../src/memoizer.js';
import { decorate, type Flavour, ownCollection, persistentMemoizer } from './helpers/decorate.js';

// Every case here returned another method's result before persisted names were told apart and claimed: a key
// collision, the worst bug a memoizer can have. Each test proves the right result comes back, or that the clash is
// refused with a NamespaceError naming both sides (left out of the dump on a plain Memoizer).

let cacheDir: string;
let subDirs = 0;
let warnings: string[];
const onWarning = (warning: Error) => warnings.push(warning.message);

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'memotape-decorator-names-'));
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(() => {
  process.off('warning', onWarning);
  resetSettingsForTests();
  resetWarningsForTests();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** A PersistentMemoizer on disk, in a folder (and so a collection of persisted names) of its own. */
const onDisk = () => new PersistentMemoizer({ cacheDir, subDir: `names-${++subDirs}` });
const namespacesIn = (store: Map<string, StoredEntry>) => [...store.values()].map((entry) => entry.namespace).sort();
const flushWarnings = () => new Promise((resolve) => setImmediate(resolve));

type StaticOwner<M extends string> = Function & Record<M, (argument: unknown) => string>;

/**
 * Two classes both named `className` (as two modules may define them), each with a static method `method` that
 * answers `<its label>:<argument>`.
 */
function sameNamedClasses<M extends string>(className: string, method: M): [StaticOwner<M>, StaticOwner<M>] {
  const define = (label: string) => {
    // The computed key names the class expression, as a declaration `class Parser` would be named.
    const { [className]: defined } = {
      // biome-ignore lint/complexity/noStaticOnlyClass: a static method is what is decorated here
      [className]: class {
        static [method](argument: unknown) {
          return `${label}:${argument}`;
        }
      },
    };
    return defined as unknown as StaticOwner<M>;
  };
  return [define('first'), define('second')];
}
const refusal = (namespace: string, message: RegExp) =>
  expect.objectContaining({
    name: 'NamespaceError',
    code: 'ERR_MEMOTAPE_NAMESPACE',
    namespace,
    message: expect.stringMatching(message),
  });

describe.each<Flavour>(['standard', 'legacy'])('%s decorators: persisted names', (flavour) => {
  it('keep a static method and a `shared: true` instance method of one name apart on disk', () => {
    const disk = onDisk();
    class Repo {
      find(x: number) {
        return `instance:${x}`;
      }
      static find(x: number) {
        return `static:${x}`;
      }
    }
    decorate(flavour, Repo, 'find', disk.memoize({ shared: true }));
    decorate(flavour, Repo, 'find', disk.memoize(), true);
    expect(new Repo().find(1)).toBe('instance:1');
    expect(Repo.find(1)).toBe('static:1');
    expect(new Repo().find(2)).toBe('instance:2');
    expect(Repo.find(2)).toBe('static:2');
  });

  it('name them `Class.method` and `Class.prototype.method`', () => {
    const store = new Map<string, StoredEntry>();
    const memoizer = persistentMemoizer(store);
    class Repo {
      find(x: number) {
        return `instance:${x}`;
      }
      static find(x: number) {
        return `static:${x}`;
      }
    }
    decorate(flavour, Repo, 'find', memoizer.memoize({ shared: true }));
    decorate(flavour, Repo, 'find', memoizer.memoize(), true);
    new Repo().find(1);
    Repo.find(1);
    expect(namespacesIn(store)).toEqual(['Repo.find', 'Repo.prototype.find']);
  });

  it('refuse a second class of the same name (another module) when persisting, naming both', () => {
    const disk = onDisk();
    const [First, Second] = sameNamedClasses('Parser', 'parse');
    decorate(flavour, First, 'parse', disk.memoize(), true);
    // At class definition: a legacy decorator is told the class, a standard static one's initializer runs with it.
    expect(() => decorate(flavour, Second, 'parse', disk.memoize(), true)).toThrow(
      refusal(
        'Parser.parse',
        /Cannot persist static method Parser\.parse: .* already used by another static method Parser\.parse/,
      ),
    );
    expect(First.parse('x')).toBe('first:x');
  });

  it('refuse a `shared: true` method of a second class of the same name, at the latest at its first call', () => {
    const disk = onDisk();
    const defineParser = (result: string) =>
      class Parser {
        parse(text: string) {
          return `${result}:${text}`;
        }
      };
    const First = defineParser('first');
    const Second = defineParser('second');
    decorate(flavour, First, 'parse', disk.memoize({ shared: true }));
    expect(new First().parse('x')).toBe('first:x');
    expect(() => {
      // A standard decorator finds the class of an instance method from its first instance.
      decorate(flavour, Second, 'parse', disk.memoize({ shared: true }));
      new Second().parse('x');
    }).toThrow(refusal('Parser.prototype.parse', /already used by another method Parser\.prototype\.parse/));
  });

  it('keep a subclass calling an inherited static apart from an `instanceKey` equal to its name', () => {
    const store = new Map<string, StoredEntry>();
    const memoizer = persistentMemoizer(store);
    class Base {
      g(x: number) {
        return `instance:${x}`;
      }
      static g(x: number) {
        return `static:${x}`;
      }
    }
    class Sub extends Base {}
    decorate(flavour, Base, 'g', memoizer.memoize({ instanceKey: () => 'Sub' }));
    decorate(flavour, Base, 'g', memoizer.memoize(), true);
    expect(new Base().g(1)).toBe('instance:1');
    expect(Sub.g(1)).toBe('static:1');
    expect(namespacesIn(store)).toEqual(['Base.g@Sub', 'Base.prototype.g#Sub']);
  });

  it('keep them apart under one explicit `name` too (`name@Sub` and `name#Sub`)', () => {
    const store = new Map<string, StoredEntry>();
    const memoizer = persistentMemoizer(store);
    class Base {
      g(x: number) {
        return `instance:${x}`;
      }
      static g(x: number) {
        return `static:${x}`;
      }
    }
    class Sub extends Base {}
    decorate(flavour, Base, 'g', memoizer.memoize({ name: 'g', instanceKey: () => 'Sub' }));
    decorate(flavour, Base, 'g', memoizer.memoize({ name: 'g' }), true);
    expect(new Base().g(1)).toBe('instance:1');
    expect(Sub.g(1)).toBe('static:1');
    expect(namespacesIn(store)).toEqual(['g#Sub', 'g@Sub']);
  });

  it('refuse a second symbol-named method whose symbol has the same description, when persisting', () => {
    const first = Symbol('id');
    const second = Symbol('id');
    class Keys {
      [first](x: number) {
        return `first:${x}`;
      }
      [second](x: number) {
        return `second:${x}`;
      }
    }
    const memoizer = persistentMemoizer();
    decorate(flavour, Keys, first, memoizer.memoize({ shared: true }));
    expect(new Keys()[first](1)).toBe('first:1');
    expect(() => {
      decorate(flavour, Keys, second, memoizer.memoize({ shared: true }));
      new Keys()[second](1);
    }).toThrow(refusal('Keys.prototype.[id]', /symbol keys with the same description cannot be told apart/));
  });

  it('give a symbol-named method a `name` option to persist it', () => {
    const first = Symbol('id');
    const second = Symbol('id');
    class Keys {
      [first](x: number) {
        return `first:${x}`;
      }
      [second](x: number) {
        return `second:${x}`;
      }
    }
    const store = new Map<string, StoredEntry>();
    const memoizer = persistentMemoizer(store);
    decorate(flavour, Keys, first, memoizer.memoize({ shared: true }));
    decorate(flavour, Keys, second, memoizer.memoize({ shared: true, name: 'Keys.secondId' }));
    expect([new Keys()[first](1), new Keys()[second](1)]).toEqual(['first:1', 'second:1']);
    expect(namespacesIn(store)).toEqual(['Keys.prototype.[id]', 'Keys.secondId']);
  });

  it('refuse a plain function given the name a decorated method persists under', () => {
    const memoizer = persistentMemoizer();
    // biome-ignore lint/complexity/noStaticOnlyClass: a static method is what is decorated here
    class Parser {
      static parse(text: string) {
        return text.length;
      }
    }
    decorate(flavour, Parser, 'parse', memoizer.memoize(), true);
    expect(() => memoizer.memoize({ name: 'Parser.parse' })((text: string) => text)).toThrow(
      refusal('Parser.parse', /already used by static method Parser\.parse/),
    );
  });

  it('leave the second of two same-named classes out of the dump of a plain Memoizer, with one warning', async () => {
    const memoizer = new Memoizer(ownCollection());
    const [First, Second] = sameNamedClasses('Util', 'f');
    decorate(flavour, First, 'f', memoizer.memoize(), true);
    decorate(flavour, Second, 'f', memoizer.memoize(), true);
    // In memory each class keeps its own entries.
    expect([First.f(1), Second.f(1), First.f(1), Second.f(1)]).toEqual(['first:1', 'second:1', 'first:1', 'second:1']);
    const exported = [...memoizer[internals].exportEntries(), ...memoizer[internals].exportEntries()];
    expect(exported.map(({ entry }) => [entry.namespace, entry.result])).toEqual([
      ['Util.f', 'first:1'],
      ['Util.f', 'first:1'],
    ]);
    await flushWarnings();
    expect(warnings).toEqual([
      expect.stringMatching(
        /entries of Util\.f were left out of the dump: .* already used by another static method Util\.f/,
      ),
    ]);
  });
});

describe('standard decorators: persisted names', () => {
  it('let two memoizers stacked on one method share its persisted name', () => {
    const store = new Map<string, StoredEntry>();
    const { subKey } = ownCollection();
    class Repo {
      find(x: number) {
        return `found:${x}`;
      }
    }
    decorate('standard', Repo, 'find', persistentMemoizer(store, subKey).memoize({ shared: true }));
    decorate('standard', Repo, 'find', persistentMemoizer(store, subKey).memoize({ shared: true }));
    expect(new Repo().find(1)).toBe('found:1');
    expect(namespacesIn(store)).toEqual(['Repo.prototype.find']);
  });
});
