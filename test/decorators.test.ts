import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetSettingsForTests } from '../src/config.js';
import {
  CacheMissError,
  configure,
  DecoratorError,
  Memoizer,
  memoize,
  type StoredEntry,
  type Wrap,
} from '../src/index.js';
import { resetWarningsForTests } from '../src/internal/warn.js';
import { internals } from '../src/memoizer.js';
import { type Decorator, decorate, type Flavour, ownCollection, persistentMemoizer } from './helpers/decorate.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

afterEach(() => {
  resetSettingsForTests();
  resetWarningsForTests();
});

describe.each<Flavour>(['standard', 'legacy'])('%s method decorators', (flavour) => {
  function geometryClass(wrap: Wrap | Decorator, members = ['area', 'perimeter']) {
    const runs = vi.fn();
    class Geometry {
      constructor(readonly scale: number) {}
      area(width: number, height: number) {
        runs('area', this);
        return { value: width * height * this.scale };
      }
      perimeter(width: number, height: number) {
        runs('perimeter', this);
        return { value: 2 * (width + height) * this.scale };
      }
    }
    for (const member of members) decorate(flavour, Geometry, member, wrap as Decorator);
    return { Geometry, runs };
  }

  it('keeps entries per instance: two instances never share them', () => {
    const { Geometry, runs } = geometryClass(new Memoizer().memoize());
    const first = new Geometry(1);
    const second = new Geometry(10);
    const result = first.area(2, 3);
    expect(first.area(2, 3)).toBe(result);
    expect(second.area(2, 3)).toEqual({ value: 60 });
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('never shares entries between two methods of one instance', () => {
    const { Geometry, runs } = geometryClass(new Memoizer().memoize());
    const geometry = new Geometry(1);
    expect(geometry.area(1, 1)).toEqual({ value: 1 });
    expect(geometry.perimeter(1, 1)).toEqual({ value: 4 });
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('runs the method with the instance as `this`', () => {
    const { Geometry, runs } = geometryClass(new Memoizer().memoize());
    const geometry = new Geometry(2);
    geometry.area(1, 1);
    expect(runs).toHaveBeenCalledWith('area', geometry);
  });

  it('keeps the method name and length', () => {
    const { Geometry } = geometryClass(new Memoizer().memoize());
    expect(Geometry.prototype.area.name).toBe('area');
    expect(Geometry.prototype.area.length).toBe(2);
  });

  it('works bare (`@memoize`) and as `memoize(options)` on the default memoizer', () => {
    const bare = geometryClass(memoize, ['area']);
    const withOptions = geometryClass(memoize({ ttl: 60_000 }), ['area']);
    for (const { Geometry, runs } of [bare, withOptions]) {
      const geometry = new Geometry(1);
      geometry.area(1, 2);
      geometry.area(1, 2);
      new Geometry(1).area(1, 2);
      expect(runs).toHaveBeenCalledTimes(2);
    }
  });

  it('keeps static methods per class, with the calling class as `this`', () => {
    const runs = vi.fn();
    // biome-ignore lint/complexity/noStaticOnlyClass: a static method is what is decorated here
    class Parser {
      static parse(text: string) {
        // biome-ignore lint/complexity/noThisInStatic: the calling class is what the test observes
        runs(this);
        // biome-ignore lint/complexity/noThisInStatic: the calling class is what the test observes
        return { text, by: this.name };
      }
    }
    class StrictParser extends Parser {}
    decorate(flavour, Parser, 'parse', new Memoizer().memoize(), true);
    const parsed = Parser.parse('a');
    expect(Parser.parse('a')).toBe(parsed);
    expect(StrictParser.parse('a')).toEqual({ text: 'a', by: 'StrictParser' });
    expect(runs.mock.calls).toEqual([[Parser], [StrictParser]]);
  });

  it('computes a getter once per instance', () => {
    const runs = vi.fn();
    class Report {
      get summary() {
        runs();
        return { total: 1 };
      }
    }
    decorate(flavour, Report, 'summary', new Memoizer().memoize());
    const report = new Report();
    expect(report.summary).toBe(report.summary);
    expect(new Report().summary).not.toBe(report.summary);
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('shares in-flight calls of an async method per instance, not across instances', async () => {
    const pending = deferred<string>();
    const runs = vi.fn();
    class Api {
      constructor(readonly name: string) {}
      async load(id: string) {
        runs(this.name);
        return `${this.name}:${id}:${await pending.promise}`;
      }
    }
    decorate(flavour, Api, 'load', new Memoizer().memoize());
    const alice = new Api('alice');
    const bob = new Api('bob');
    const calls = [alice.load('x'), alice.load('x'), bob.load('x')];
    expect(runs.mock.calls).toEqual([['alice'], ['bob']]);
    pending.resolve('done');
    expect(await Promise.all(calls)).toEqual(['alice:x:done', 'alice:x:done', 'bob:x:done']);
    expect(await alice.load('x')).toBe('alice:x:done');
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('lets a record and a replay method given one `name` share entries within an instance', () => {
    const memoizer = new Memoizer();
    class Api {
      constructor(readonly region: string) {}
      fetchNow(id: string) {
        return `${id}@${this.region}`;
      }
      replayed(_id: string): string {
        throw new Error('a replayed method never runs');
      }
    }
    decorate(flavour, Api, 'fetchNow', memoizer.record({ name: 'fetch' }));
    decorate(flavour, Api, 'replayed', memoizer.replay({ name: 'fetch' }));
    const eu = new Api('eu');
    eu.fetchNow('a');
    expect(eu.replayed('a')).toBe('a@eu');
    expect(() => new Api('us').replayed('a')).toThrow(CacheMissError);
  });

  it('refuses a per-instance method on a persistent memoizer when the class is defined', () => {
    const memoizer = persistentMemoizer();
    const wrap = memoizer.memoize();
    class Repo {
      find(id: string) {
        return id;
      }
      static parse(text: string) {
        return text;
      }
    }
    expect(() => decorate(flavour, Repo, 'find', wrap)).toThrow(
      expect.objectContaining({ name: 'DecoratorError', code: 'ERR_MEMOTAPE_DECORATOR' }),
    );
    expect(() => decorate(flavour, Repo, 'find', memoizer.memoize({ shared: true }))).not.toThrow();
    // A class has a name in every process: static methods need neither option.
    expect(() => decorate(flavour, Repo, 'parse', wrap, true)).not.toThrow();
  });

  it('persists a static method under `Class.method`, and under `Class.method@Subclass` for a subclass', () => {
    const store = new Map<string, StoredEntry>();
    // biome-ignore lint/complexity/noStaticOnlyClass: a static method is what is decorated here
    class Parser {
      static parse(text: string) {
        return text.length;
      }
    }
    class StrictParser extends Parser {}
    decorate(flavour, Parser, 'parse', persistentMemoizer(store).memoize(), true);
    Parser.parse('a');
    StrictParser.parse('a');
    expect([...store.values()].map((entry) => entry.namespace)).toEqual(['Parser.parse', 'Parser.parse@StrictParser']);
  });

  it('persists entries per `instanceKey`, under `Class.prototype.method#key`, for a later process to replay', () => {
    const store = new Map<string, StoredEntry>();
    const makeRepo = (memoizer: Memoizer) => {
      const runs = vi.fn();
      class Repo {
        constructor(readonly id: string) {}
        find(key: string) {
          runs();
          return `${this.id}/${key}`;
        }
      }
      decorate(flavour, Repo, 'find', memoizer.memoize({ instanceKey: (self: Repo) => self.id }));
      return { Repo, runs };
    };
    const before = makeRepo(persistentMemoizer(store));
    new before.Repo('a').find('k');
    new before.Repo('b').find('k');
    expect([...store.values()].map((entry) => entry.namespace).sort()).toEqual([
      'Repo.prototype.find#a',
      'Repo.prototype.find#b',
    ]);

    const after = makeRepo(persistentMemoizer(store));
    expect(new after.Repo('a').find('k')).toBe('a/k');
    expect(after.runs).not.toHaveBeenCalled();
  });

  it('with `shared: true`, keeps one namespace `Class.prototype.method` for every instance, `this` the caller', () => {
    const store = new Map<string, StoredEntry>();
    const runs = vi.fn();
    class Units {
      convert(value: number) {
        runs(this);
        return value * 2;
      }
    }
    decorate(flavour, Units, 'convert', persistentMemoizer(store).memoize({ shared: true }));
    const first = new Units();
    expect(first.convert(2)).toBe(4);
    expect(new Units().convert(2)).toBe(4);
    expect(runs.mock.calls).toEqual([[first]]);
    expect([...store.values()].map((entry) => entry.namespace)).toEqual(['Units.prototype.convert']);
  });

  it('throws a TypeError when `instanceKey` does not return a non-empty string', () => {
    class Repo {
      find(key: string) {
        return key;
      }
    }
    decorate(flavour, Repo, 'find', new Memoizer().memoize({ instanceKey: () => 42 as unknown as string }));
    expect(() => new Repo().find('k')).toThrow(
      /`instanceKey` to return a non-empty string for Repo\.prototype\.find, got number/,
    );
  });

  it('leaves per-instance entries out of the dump with one warning, and dumps `instanceKey` ones', async () => {
    const memoizer = new Memoizer(ownCollection());
    class Repo {
      constructor(readonly id: string) {}
      anonymous(key: string) {
        return key;
      }
      keyed(key: string) {
        return key;
      }
    }
    decorate(flavour, Repo, 'anonymous', memoizer.memoize());
    decorate(flavour, Repo, 'keyed', memoizer.memoize({ instanceKey: (self: Repo) => self.id }));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const repo = new Repo('r1');
      repo.anonymous('a');
      new Repo('r2').anonymous('a');
      repo.keyed('a');
      const exported = [...memoizer[internals].exportEntries()];
      expect(exported.map((entry) => entry.entry.namespace)).toEqual(['Repo.prototype.keyed#r1']);
      // Node emits warnings on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((message) => message.includes('Repo.prototype.anonymous'))).toHaveLength(1);
    expect(warnings[0]).toMatch(/`instanceKey` or `shared: true`/);
  });

  it('empties per-instance entries on cacheClear()', () => {
    const memoizer = new Memoizer();
    const { Geometry, runs } = geometryClass(memoizer.memoize(), ['area']);
    const geometry = new Geometry(1);
    geometry.area(1, 1);
    expect(memoizer.stats().size).toBe(1);
    memoizer.cacheClear();
    expect(memoizer.stats().size).toBe(0);
    geometry.area(1, 1);
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('runs the method every time when caching is disabled', () => {
    configure({ enabled: false });
    const { Geometry, runs } = geometryClass(new Memoizer().memoize(), ['area']);
    const geometry = new Geometry(1);
    geometry.area(1, 1);
    geometry.area(1, 1);
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('throws a DecoratorError when the method is called without an instance', () => {
    const { Geometry } = geometryClass(new Memoizer().memoize(), ['area']);
    const { area } = Geometry.prototype;
    expect(() => area.call(undefined, 1, 1)).toThrow(
      expect.objectContaining({
        code: 'ERR_MEMOTAPE_DECORATOR',
        message: expect.stringMatching(/without an instance/),
      }),
    );
  });

  it('explains that a memoizer method needs its parentheses to decorate', () => {
    class Geometry {
      area() {
        return 1;
      }
    }
    const memoizer = new Memoizer();
    expect(() => decorate(flavour, Geometry, 'area', memoizer.memoize.bind(memoizer) as Decorator)).toThrow(
      /`@memoizer\.memoize\(\)`, with the parentheses/,
    );
  });
});

describe('standard decorators', () => {
  const context = (kind: string, extra: object = {}) => ({
    kind,
    name: 'member',
    static: false,
    private: false,
    addInitializer() {},
    ...extra,
  });

  it.each(['field', 'setter', 'accessor', 'class'])('refuse a %s with a DecoratorError', (kind) => {
    const value = kind === 'field' ? undefined : () => {};
    expect(() => memoize()(value as never, context(kind) as never)).toThrow(DecoratorError);
    expect(() => memoize(value as never, context(kind) as never)).toThrow(DecoratorError);
  });

  it('memoize #private methods per instance', () => {
    const runs = vi.fn((value: number) => ({ value }));
    const secret = memoize()(
      runs as (this: object, value: number) => { value: number },
      context('method', {
        name: '#secret',
        private: true,
      }) as never,
    ) as (this: object, value: number) => { value: number };
    const first = {};
    const result = secret.call(first, 1);
    expect(secret.call(first, 1)).toBe(result);
    expect(secret.call({}, 1)).not.toBe(result);
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('require a `name` to persist a #private method, whose class cannot be found', () => {
    const privateContext = context('method', { name: '#secret', private: true }) as never;
    const persisted = persistentMemoizer();
    expect(() => persisted.memoize({ shared: true })(() => 1, privateContext)).toThrow(/`name` option/);
    expect(() => persisted.memoize({ shared: true, name: 'Vault.secret' })(() => 1, privateContext)).not.toThrow();
  });
});

describe('legacy decorators', () => {
  it('refuse a property (no descriptor) and a setter with a DecoratorError', () => {
    const prototype = {};
    expect(() => memoize()(prototype as never, 'field', undefined as never)).toThrow(DecoratorError);
    expect(() => memoize(prototype, 'value', { set() {}, configurable: true })).toThrow(DecoratorError);
  });

  it('keep a setter that sits beside a memoized getter', () => {
    const set = vi.fn();
    const descriptor = memoize({}, 'value', { get: () => 1, set, configurable: true });
    descriptor.set?.call({}, 2);
    expect(set).toHaveBeenCalledWith(2);
  });
});
