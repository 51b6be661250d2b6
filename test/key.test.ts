import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { KeyEncodingError } from '../src/errors.js';
import {
  canonicalFromMemoryKey,
  canonicalize,
  canonicalizeArgs,
  isPersistedKey,
  memoryKeyForArgs,
  persistedKey,
} from '../src/key.js';
import { catchError } from './helpers/catch-error.js';
import { argsArb, closeValueArb, stringArb } from './helpers/key-arbitraries.js';
import { expectKeyEncodingError } from './helpers/key-errors.js';
import { same } from './helpers/key-model.js';

const referencePersistedKey = (namespace: string, canonical: string): string =>
  createHash('sha256').update(`s${namespace.length}:${namespace}|${canonical}`, 'utf8').digest('hex').slice(0, 32);

/** Strings without lone surrogates, whose UTF-8 encoding is lossless. */
const wellFormedStringArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('|', ':', 's', '1', '{', 'a', '😀', 'é'), maxLength: 12 }),
);

describe('persistedKey', () => {
  it('returns 32 lowercase hex characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (namespace, params) => {
        const key = persistedKey(namespace, params);
        expect(key).toMatch(/^[0-9a-f]{32}$/);
        expect(isPersistedKey(key)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.string(), argsArb, (namespace, args) => {
        expect(persistedKey(namespace, canonicalizeArgs(args))).toBe(persistedKey(namespace, canonicalizeArgs(args)));
      }),
      { numRuns: 1000 },
    );
  });

  it('is the first 32 hex characters of SHA-256 over `s<length>:<namespace>|<canonical params>`', () => {
    fc.assert(
      fc.property(wellFormedStringArb, wellFormedStringArb, (namespace, params) => {
        expect(persistedKey(namespace, params)).toBe(referencePersistedKey(namespace, params));
      }),
      { numRuns: 2000 },
    );
    expect(persistedKey('fetchUser', canonicalizeArgs([42]))).toBe(
      referencePersistedKey('fetchUser', '{s4:args:[n42]}'),
    );
  });

  it('stays pinned to known values, so entries persisted by earlier versions keep their keys', () => {
    expect(canonicalizeArgs([42])).toBe('{s4:args:[n42]}');
    expect(persistedKey('fetchUser', canonicalizeArgs([42]))).toBe('0124f3783085af0924e7f4970263698e');
    expect(persistedKey('', canonicalizeArgs([]))).toBe('fd3b4b3356fd2b31795259b1785d8662');
  });

  it('is computed identically by a separate Node process', () => {
    const inputs: Array<[string, string]> = [
      ['fetchUser', canonicalizeArgs([42])],
      ['', canonicalizeArgs([])],
      ['ns|with|pipes', canonicalizeArgs(['s1:a', { b: [1n, null] }])],
      ['ünï😀', canonicalizeArgs([new Map([[1, 'x']]), new Set(['é'])])],
      ['lone', canonicalizeArgs(['\uD800'])],
    ];
    const directory = mkdtempSync(join(tmpdir(), 'memotape-key-'));
    try {
      // Transpile the sources with the project's own TypeScript, then run them in a fresh process.
      for (const name of ['key', 'errors', 'internal/sha256']) {
        const source = readFileSync(fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url)), 'utf8');
        const { outputText } = ts.transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        const linked = outputText
          .replaceAll("'./errors.js'", "'./errors.mjs'")
          .replaceAll("'./internal/sha256.js'", "'./internal/sha256.mjs'");
        mkdirSync(dirname(join(directory, `${name}.mjs`)), { recursive: true });
        writeFileSync(join(directory, `${name}.mjs`), linked);
      }
      const script = `
        import { persistedKey } from ${JSON.stringify(join(directory, 'key.mjs'))};
        const inputs = JSON.parse(process.argv[1]);
        process.stdout.write(JSON.stringify(inputs.map(([namespace, params]) => persistedKey(namespace, params))));
      `;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(inputs)], {
        encoding: 'utf8',
      });
      expect(JSON.parse(output)).toEqual(inputs.map(([namespace, params]) => persistedKey(namespace, params)));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('differs by namespace', () => {
    const params = canonicalizeArgs([1]);
    expect(persistedKey('a', params)).not.toBe(persistedKey('b', params));
    expect(persistedKey('fetchUser', params)).not.toBe(persistedKey('fetchUsers', params));
    expect(persistedKey('', params)).not.toBe(persistedKey(' ', params));
  });

  it('differs by params', () => {
    expect(persistedKey('f', canonicalizeArgs([1]))).not.toBe(persistedKey('f', canonicalizeArgs([2])));
    expect(persistedKey('f', canonicalizeArgs([1]))).not.toBe(persistedKey('f', canonicalizeArgs(['1'])));
    expect(persistedKey('f', canonicalizeArgs([0]))).not.toBe(persistedKey('f', canonicalizeArgs([-0])));
    expect(persistedKey('f', canonicalizeArgs([]))).not.toBe(persistedKey('f', canonicalizeArgs([undefined])));
  });

  it('never lets the namespace/params boundary shift (a pipe in the namespace cannot fake the separator)', () => {
    expect(persistedKey('a|b', 'c')).not.toBe(persistedKey('a', 'b|c'));
    expect(persistedKey('s1:a', 'x')).not.toBe(persistedKey('a', 'x'));
    const part = fc.string({ unit: fc.constantFrom('|', ':', 's', '1', '2', 'a'), maxLength: 6 });
    fc.assert(
      fc.property(part, part, part, part, (namespace1, params1, namespace2, params2) => {
        fc.pre(namespace1 !== namespace2 || params1 !== params2);
        expect(persistedKey(namespace1, params1)).not.toBe(persistedKey(namespace2, params2));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps strings with different lone surrogates apart (UTF-8 alone would turn each into U+FFFD)', () => {
    const keys = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFD', '\uDC00\uD800', '\uD83D\uDE00', ''].map((text) =>
      persistedKey('f', canonicalizeArgs([text])),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(persistedKey('\uD800', 'p')).not.toBe(persistedKey('\uDC00', 'p'));
    expect(persistedKey('\uD800', 'p')).not.toBe(persistedKey('\uFFFD', 'p'));
    for (const key of keys) expect(isPersistedKey(key)).toBe(true);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('\uD800', '\uDC00', '\uFFFD', 'a', '😀'), maxLength: 4 }),
        fc.string({ unit: fc.constantFrom('\uD800', '\uDC00', '\uFFFD', 'a', '😀'), maxLength: 4 }),
        (left, right) => {
          const equal = persistedKey('f', canonicalizeArgs([left])) === persistedKey('f', canonicalizeArgs([right]));
          expect(equal).toBe(left === right);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('isPersistedKey', () => {
  it('accepts exactly 32 lowercase hex characters', () => {
    expect(isPersistedKey('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isPersistedKey('0123456789ABCDEF0123456789ABCDEF')).toBe(false);
    expect(isPersistedKey('0123456789abcdef0123456789abcde')).toBe(false);
    expect(isPersistedKey('0123456789abcdef0123456789abcdef0')).toBe(false);
    expect(isPersistedKey('0123456789abcdef0123456789abcdeg')).toBe(false);
    expect(isPersistedKey('0123456789abcdef0123456789abcdef\n')).toBe(false);
    expect(isPersistedKey('')).toBe(false);
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 0, 1n, {}, ['0123456789abcdef0123456789abcdef'], Buffer.alloc(16)]) {
      expect(isPersistedKey(value)).toBe(false);
    }
  });
});

describe('canonicalizeArgs', () => {
  it('equals canonicalize({ args }) for every argument list', () => {
    fc.assert(
      fc.property(argsArb, (args) => {
        expect(canonicalizeArgs(args)).toBe(canonicalize({ args }));
      }),
      { numRuns: 3000 },
    );
  });

  it('distinguishes argument counts and positions', () => {
    const keys = [[], [undefined], [undefined, undefined], [1, 2], [2, 1], [[1, 2]], [1, [2]], ['1,n2']].map((args) =>
      canonicalizeArgs(args),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('memoryKeyForArgs', () => {
  it('returns a single number, boolean, bigint, null or undefined argument as is', () => {
    for (const value of [
      0,
      1,
      -1,
      1.5,
      Number.POSITIVE_INFINITY,
      Number.MAX_VALUE,
      true,
      false,
      0n,
      10n ** 30n,
      null,
    ]) {
      expect(memoryKeyForArgs([value])).toBe(value);
    }
    expect(memoryKeyForArgs([undefined])).toBeUndefined();
    expect(Number.isNaN(memoryKeyForArgs([Number.NaN]))).toBe(true);
  });

  it('does not return -0 as is, so it stays distinct from 0 as a Map key', () => {
    const key = memoryKeyForArgs([-0]);
    expect(typeof key).toBe('string');
    expect(key).toBe(canonicalizeArgs([-0]));
    expect(key).not.toBe(memoryKeyForArgs([0]));
    const cache = new Map([[memoryKeyForArgs([0]), 'zero']]);
    expect(cache.has(memoryKeyForArgs([-0]))).toBe(false);
  });

  it('canonicalizes several arguments, no arguments and single object arguments', () => {
    expect(memoryKeyForArgs([])).toBe(canonicalizeArgs([]));
    expect(memoryKeyForArgs([1, 2])).toBe(canonicalizeArgs([1, 2]));
    expect(memoryKeyForArgs([{ a: 1 }])).toBe(canonicalizeArgs([{ a: 1 }]));
    expect(memoryKeyForArgs([[1]])).toBe(canonicalizeArgs([[1]]));
    expect(memoryKeyForArgs([undefined, undefined])).toBe(canonicalizeArgs([undefined, undefined]));
  });

  it('keys a single string argument apart from any other call, even one whose encoding is that string', () => {
    const encoded = canonicalizeArgs([1, 2]);
    expect(memoryKeyForArgs([encoded])).not.toBe(memoryKeyForArgs([1, 2]));
    expect(memoryKeyForArgs([canonicalizeArgs(['a'])])).not.toBe(memoryKeyForArgs(['a']));
    expect(memoryKeyForArgs(['\u0001a'])).not.toBe(memoryKeyForArgs(['a']));
    expect(memoryKeyForArgs(['1'])).not.toBe(memoryKeyForArgs([1]));
    expect(memoryKeyForArgs(['null'])).not.toBe(memoryKeyForArgs([null]));
    expect(memoryKeyForArgs([''])).not.toBe(memoryKeyForArgs([]));
  });

  it('never gives a single string argument the key of another call (property)', () => {
    const otherArgs = fc.oneof(
      argsArb,
      argsArb.map((args) => [canonicalizeArgs(args)]),
      stringArb.map((text) => [`\u0001${text}`]),
    );
    fc.assert(
      fc.property(stringArb, otherArgs, (text, args) => {
        fc.pre(!(args.length === 1 && args[0] === text));
        const key = memoryKeyForArgs([text]);
        expect(key).not.toBe(memoryKeyForArgs(args));
        expect(key).not.toBe(canonicalizeArgs(args));
      }),
      { numRuns: 3000 },
    );
  });

  it('hits the same Map entry exactly when the calls are equal (Map keys compare with SameValueZero)', () => {
    const closeArgs = fc.oneof(
      fc.array(closeValueArb, { maxLength: 2 }),
      closeValueArb.map((value) => [value]),
    );
    fc.assert(
      fc.property(closeArgs, closeArgs, (left, right) => {
        const cache = new Map([[memoryKeyForArgs(left), 'entry']]);
        expect(cache.has(memoryKeyForArgs(right))).toBe(same(left, right));
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips: canonicalFromMemoryKey(memoryKeyForArgs(args)) === canonicalizeArgs(args)', () => {
    fc.assert(
      fc.property(argsArb, (args) => {
        expect(canonicalFromMemoryKey(memoryKeyForArgs(args))).toBe(canonicalizeArgs(args));
      }),
      { numRuns: 3000 },
    );
    for (const value of [0, -0, Number.NaN, 1n, null, undefined, true, '', '\u0001', '\u0001\u0001x', 's1:a']) {
      expect(canonicalFromMemoryKey(memoryKeyForArgs([value]))).toBe(canonicalizeArgs([value]));
    }
  });

  it('throws KeyEncodingError for a single unsupported argument', () => {
    expectKeyEncodingError(() => memoryKeyForArgs([() => 1]), 'args[0]', /function/);
    expectKeyEncodingError(() => memoryKeyForArgs([Symbol('s')]), 'args[0]', /symbol/);
  });
});

describe('KeyEncodingError', () => {
  it('refuses arguments nested deeper than 1000 levels instead of overflowing the stack', () => {
    const nest = (levels: number) => {
      let value: unknown = 'leaf';
      for (let level = 0; level < levels; level++) value = level % 2 === 0 ? [value] : { inner: value };
      return value;
    };
    expect(canonicalizeArgs([nest(999)])).toContain('leaf');
    for (const run of [() => canonicalizeArgs([nest(100_000)]), () => canonicalize(nest(100_000))]) {
      const error = catchError(run) as KeyEncodingError;
      expect(error).toBeInstanceOf(KeyEncodingError);
      expect(error.path).toMatch(/^(args\[0\]|params)(\.inner|\[0\]){1000}$/);
      expect(error.message).toMatch(/nested more than 1000 levels deep/);
    }
  });

  it('names the path of a function, e.g. args[1].options.onDone, and suggests paramsEncoder', () => {
    const error = expectKeyEncodingError(
      () => canonicalizeArgs([1, { options: { onDone() {} } }]),
      'args[1].options.onDone',
      /a function \(onDone\)/,
    );
    expect(error.message).toMatch(/Pass a `paramsEncoder` option/);
    expectKeyEncodingError(() => canonicalize({ options: { onDone: () => {} } }), 'params.options.onDone');
    expectKeyEncodingError(
      () =>
        canonicalize(
          [
            (
              () => () =>
                1
            )(),
          ],
          'input',
        ),
      'input[0]',
      /anonymous/,
    );
  });

  it('rejects symbols', () => {
    expectKeyEncodingError(() => canonicalizeArgs([Symbol('token')]), 'args[0]', /a symbol \(token\)/);
    expectKeyEncodingError(() => canonicalize({ list: [1, Symbol.iterator] }), 'params.list[1]', /symbol/);
  });

  it('rejects WeakMap, WeakSet and WeakRef, whose contents cannot be read', () => {
    expectKeyEncodingError(() => canonicalizeArgs([new WeakMap()]), 'args[0]', /WeakMap/);
    expectKeyEncodingError(() => canonicalizeArgs([1, { cache: new WeakSet() }]), 'args[1].cache', /WeakSet/);
    expectKeyEncodingError(() => canonicalize(new WeakRef({})), 'params', /WeakRef/);
  });

  it('rejects promises', () => {
    expectKeyEncodingError(() => canonicalizeArgs([Promise.resolve(1)]), 'args[0]', /promise/);
    expectKeyEncodingError(() => canonicalize({ pending: new Promise(() => {}) }), 'params.pending', /promise/);
  });

  it('rejects circular references, naming where the cycle closes', () => {
    const object: Record<string, unknown> = { a: 1 };
    object.self = object;
    expectKeyEncodingError(() => canonicalizeArgs([object]), 'args[0].self', /circular/);
    const array: unknown[] = [];
    array.push(array);
    expectKeyEncodingError(() => canonicalizeArgs([array]), 'args[0][0]', /circular/);
    const outer: Record<string, unknown> = {};
    outer.inner = { list: [outer] };
    expectKeyEncodingError(() => canonicalize(outer), 'params.inner.list[0]', /circular/);
    const map = new Map<string, unknown>();
    map.set('me', map);
    expectKeyEncodingError(() => canonicalize(map), 'params.get(s2:me)', /circular/);
    const set = new Set<unknown>();
    set.add(set);
    expectKeyEncodingError(() => canonicalize(set), 'params.values()', /circular/);
  });

  it('accepts a shared non-circular reference, also after a failed call', () => {
    const shared = { v: 1 };
    const circular: Record<string, unknown> = { shared };
    circular.again = circular;
    expectKeyEncodingError(() => canonicalize(circular), 'params.again', /circular/);
    expect(() => canonicalize({ a: shared, b: [shared], c: new Map([[shared, shared]]) })).not.toThrow();
    expect(canonicalize({ shared })).toBe(canonicalize({ shared: { v: 1 } }));
  });

  it('rejects class instances and objects with a custom prototype', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expectKeyEncodingError(() => canonicalizeArgs([new Point(1, 2)]), 'args[0]', /an instance of Point/);
    expectKeyEncodingError(
      () => canonicalize({ p: Object.create(Object.create(null)) }),
      'params.p',
      /custom prototype/,
    );
    expectKeyEncodingError(() => canonicalize(Object.create({ inherited: 1 })), 'params');
    expectKeyEncodingError(() => canonicalize(new Error('x')), 'params', /Error/);
    expectKeyEncodingError(() => canonicalize(Object(1)), 'params', /Number/);
    expectKeyEncodingError(() => canonicalize(Object('s')), 'params', /String/);
    expectKeyEncodingError(() => canonicalize(new SharedArrayBuffer(1)), 'params', /SharedArrayBuffer/);
  });

  it('rejects subclass instances of built-ins instead of conflating them with the built-in', () => {
    class DefaultMap<K, V> extends Map<K, V> {
      constructor(readonly fallback: V) {
        super();
      }
    }
    class Stack extends Array<number> {}
    class Moment extends Date {}
    class Tags extends Set<string> {}
    class Pattern extends RegExp {}
    class Bytes extends Uint8Array {}
    class MyBuffer extends Buffer {}
    expectKeyEncodingError(() => canonicalizeArgs([new DefaultMap(0)]), 'args[0]', /an instance of DefaultMap/);
    expectKeyEncodingError(() => canonicalizeArgs([Stack.from([1])]), 'args[0]', /an instance of Stack/);
    expectKeyEncodingError(() => canonicalizeArgs([new Moment(0)]), 'args[0]', /Moment/);
    expectKeyEncodingError(() => canonicalizeArgs([new Tags()]), 'args[0]', /Tags/);
    expectKeyEncodingError(() => canonicalizeArgs([new Pattern('a')]), 'args[0]', /Pattern/);
    expectKeyEncodingError(() => canonicalizeArgs([new Bytes(1)]), 'args[0]', /Bytes/);
    expectKeyEncodingError(() => canonicalizeArgs([Reflect.construct(Uint8Array, [1], MyBuffer)]), 'args[0]');
  });

  it('rejects an object with an enumerable symbol key, but ignores non-enumerable symbol keys', () => {
    expectKeyEncodingError(() => canonicalizeArgs([{ a: { [Symbol('k')]: 1 } }]), 'args[0].a', /symbol keys/);
    const hidden = { a: 1 };
    Object.defineProperty(hidden, Symbol('k'), { value: 1, enumerable: false });
    expect(canonicalize(hidden)).toBe(canonicalize({ a: 1 }));
  });

  it('quotes keys that are not identifiers and names Map keys and values in the path', () => {
    expectKeyEncodingError(() => canonicalize({ 'a-b': { 'x y': () => 1 } }), 'params["a-b"]["x y"]');
    expectKeyEncodingError(() => canonicalize({ 0: () => 1 }), 'params["0"]');
    expectKeyEncodingError(() => canonicalize(new Map([['k', () => 1]])), 'params.get(s1:k)');
    expectKeyEncodingError(() => canonicalize(new Map([[() => 1, 'v']])), 'params.keys()');
    expectKeyEncodingError(() => canonicalize(new Set([1, () => 1])), 'params.values()');
  });
});
