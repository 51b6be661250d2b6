import { afterEach, describe, expect, it, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../../src/config.js';
import { asMemoized, Memoizer, type StoredEntry, type Wrap } from '../../src/index.js';
import { internals } from '../../src/memoizer.js';

afterEach(() => {
  resetSettingsForTests();
});

// Decorators applied as the compilers do. A standard decorator gets its context, whose initializers run per
// instance at construction (for a static member, once with the class); a legacy one returns the descriptor to
// install. test/decorators-compiled.test.ts covers real tsc output.
type Flavour = 'standard' | 'legacy';
const flavours: Flavour[] = ['standard', 'legacy'];

function decorate(flavour: Flavour, Class: Function, key: string, decorator: Wrap, isStatic = false): void {
  const holder = isStatic ? Class : (Class.prototype as object);
  const descriptor = Object.getOwnPropertyDescriptor(holder, key)!;
  if (flavour === 'legacy') {
    Object.defineProperty(holder, key, (decorator as Function)(holder, key, descriptor) as PropertyDescriptor);
    return;
  }
  const initializers: Array<(this: unknown) => void> = [];
  const context = {
    kind: 'method',
    name: key,
    static: isStatic,
    private: false,
    addInitializer: (initializer: (this: unknown) => void) => initializers.push(initializer),
    metadata: undefined,
  };
  const replacement = (decorator as Function)(descriptor.value, context);
  Object.defineProperty(holder, key, { ...descriptor, value: replacement });
  if (isStatic) for (const initializer of initializers) initializer.call(Class);
  else (Class as unknown as { initializers: typeof initializers }).initializers = initializers;
}

/** A class whose constructor runs the standard initializers of its decorated methods, as compiled code does. */
function geometryClass() {
  const area = vi.fn((width: number, height: number) => width * height);
  class Geometry {
    static initializers: Array<(this: unknown) => void> = [];
    constructor() {
      for (const initializer of Geometry.initializers) initializer.call(this);
    }
    area(width: number, height: number): number {
      return area(width, height);
    }
  }
  return { Geometry, area };
}

describe.each(flavours)('%s decorators', (flavour) => {
  it('give each instance its own `invalidate` and `peek`: this.method.invalidate(...)', async () => {
    const memoizer = new Memoizer();
    const { Geometry, area } = geometryClass();
    decorate(flavour, Geometry, 'area', memoizer.memoize());
    const first = new Geometry();
    const second = new Geometry();
    first.area(2, 3);
    second.area(2, 3);
    expect(asMemoized(first.area).peek(2, 3)).toBe(6);
    await asMemoized(first.area).invalidate(2, 3);
    expect(asMemoized(first.area).peek(2, 3)).toBeUndefined();
    expect(asMemoized(second.area).peek(2, 3)).toBe(6);
    first.area(2, 3);
    second.area(2, 3);
    expect(area).toHaveBeenCalledTimes(3);
  });

  it('keep calls, names and identity as before', () => {
    const memoizer = new Memoizer();
    const { Geometry } = geometryClass();
    decorate(flavour, Geometry, 'area', memoizer.memoize());
    const geometry = new Geometry();
    expect(geometry.area).toBe(geometry.area);
    expect(geometry.area.name).toBe('area');
    expect(Geometry.prototype.area.name).toBe('area');
    const detached = geometry.area;
    expect(() => detached(1, 2)).toThrow(expect.objectContaining({ code: 'ERR_MEMOTAPE_DECORATOR' }));
    expect(detached.call(geometry, 1, 2)).toBe(2);
    (geometry as { area: unknown }).area = () => 'own';
    expect(geometry.area(1, 2)).toBe('own');
  });

  it('reach persisted entries of an `instanceKey` method before its first call', async () => {
    const store = new Map<string, StoredEntry>();
    // A collection per flavour: each run defines its own `Repo`, and persisted names are claimed per collection.
    const persistent = new Memoizer({ subKey: `method-views-${flavour}` });
    persistent[internals].addTier({
      name: 'disk',
      store: {
        get: (key) => store.get(key),
        set: (key, value) => void store.set(key, value),
        delete: (key) => store.delete(key),
        clear: () => store.clear(),
      },
    });
    class Repo {
      static initializers: Array<(this: unknown) => void> = [];
      constructor(readonly id: string) {
        for (const initializer of Repo.initializers) initializer.call(this);
      }
      find(key: string): string {
        return `${this.id}/${key}`;
      }
    }
    decorate(flavour, Repo, 'find', persistent.memoize({ instanceKey: (self: Repo) => self.id }));
    new Repo('a').find('k');
    expect(store.size).toBe(1);
    const later = new Repo('a');
    expect(asMemoized(later.find).peek('k')).toBe('a/k');
    await asMemoized(later.find).invalidate('k');
    expect(store.size).toBe(0);
  });

  it('give static methods and `shared: true` methods `invalidate` and `peek` too', async () => {
    const memoizer = new Memoizer();
    const parse = vi.fn((text: string) => text.length);
    const normalize = vi.fn((text: string) => text.trim());
    class Parser {
      static initializers: Array<(this: unknown) => void> = [];
      constructor() {
        for (const initializer of Parser.initializers) initializer.call(this);
      }
      static parse(text: string): number {
        return parse(text);
      }
      normalize(text: string): string {
        return normalize(text);
      }
    }
    decorate(flavour, Parser, 'parse', memoizer.memoize(), true);
    decorate(flavour, Parser, 'normalize', memoizer.memoize({ shared: true, name: 'normalize' }));
    Parser.parse('abc');
    new Parser().normalize(' x ');
    expect(asMemoized(Parser.parse).peek('abc')).toBe(3);
    await asMemoized(Parser.parse).invalidate('abc');
    Parser.parse('abc');
    expect(parse).toHaveBeenCalledTimes(2);
    const other = new Parser();
    expect(asMemoized(other.normalize).peek(' x ')).toBe('x');
    await asMemoized(other.normalize).invalidate(' x ');
    expect(asMemoized(new Parser().normalize).peek(' x ')).toBeUndefined();
  });

  it('answer nothing when caching is disabled, without failing', async () => {
    configure({ enabled: false });
    const memoizer = new Memoizer();
    const { Geometry } = geometryClass();
    decorate(flavour, Geometry, 'area', memoizer.memoize());
    const geometry = new Geometry();
    geometry.area(1, 1);
    expect(asMemoized(geometry.area).peek(1, 1)).toBeUndefined();
    await expect(asMemoized(geometry.area).invalidate(1, 1)).resolves.toBeUndefined();
  });
});
