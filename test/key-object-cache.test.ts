import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyEncodingError } from '../src/errors.js';
import { canonicalFromMemoryKey, canonicalizeArgList, canonicalizeArgs, memoryKeyForArgs } from '../src/key.js';
import { ObjectKeyCache } from '../src/key-object-cache.js';

const canonical = (value: unknown): string => canonicalizeArgList(1, value, undefined, undefined);

// ---------------------------------------------------------------------------------------------------------------------
// Arbitraries: JSON-like values and the edges Map keys (SameValueZero) and the canonical encoding could see differently.
// ---------------------------------------------------------------------------------------------------------------------

const trickyChar = fc.constantFrom(
  ',',
  ':',
  '{',
  '}',
  '[',
  ']',
  's',
  'n',
  '1',
  'h',
  'a',
  '\u0000',
  '\u0001',
  '\n',
  '"',
  '\\',
  '\uD800',
  '\uDC00',
  '\uFFFD',
  '😀',
);
const stringArb = fc.oneof(
  fc.string({ unit: trickyChar, maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('', '1', '-0', 'NaN', 'null', 'undefined', 'true', '__proto__', 'constructor', 's1:a', 'h'),
);
const numberArb = fc.oneof(
  fc.double(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 2 ** 31, 5e-324),
);
const primitiveArb = fc.oneof(
  { weight: 3, arbitrary: stringArb },
  { weight: 3, arbitrary: numberArb },
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(0, 1).map((time) => new Date(time)),
  fc.constant(new Date(Number.NaN)),
);
const nameArb = fc.oneof(stringArb, fc.constantFrom('a', 'b', '0', '1', '10', '2', 'id', '__proto__'));

/** Objects get their names from `nameArb`, defined as own data properties (so `__proto__` is an ordinary name). */
function objectOf(entries: [string, unknown][], nullPrototype: boolean): Record<string, unknown> {
  const object: Record<string, unknown> = nullPrototype ? Object.create(null) : {};
  for (const [name, value] of entries) {
    Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

const valueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitiveArb,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.sparseArray(tie('value'), { maxLength: 5 }),
    fc
      .tuple(
        fc.uniqueArray(fc.tuple(nameArb, tie('value')), { maxLength: 4, selector: ([name]) => name }),
        fc.boolean(),
      )
      .map(([entries, nullPrototype]) => objectOf(entries, nullPrototype)),
  ),
})).value;

/** Object arguments only (what the cache takes), often close to each other. */
const argumentArb: fc.Arbitrary<object> = fc.oneof(
  fc.array(valueArb, { maxLength: 4 }),
  fc.sparseArray(valueArb, { maxLength: 4 }),
  fc.dictionary(nameArb, valueArb, { maxKeys: 5 }),
  fc.constantFrom(0, -0, Number.NaN).map((time) => new Date(time)),
);
const closeValueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(0, -0, Number.NaN, 1, '1', 1n, '', null, undefined, true, 'true', 'h'),
    fc.array(tie('value'), { maxLength: 2 }),
    fc.sparseArray(tie('value'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b', '1'), tie('value'), { maxKeys: 2 }),
  ),
})).value;
const closeArgumentArb: fc.Arbitrary<object> = fc.oneof(
  fc.array(closeValueArb, { maxLength: 2 }),
  fc.sparseArray(closeValueArb, { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('a', 'b', '1'), closeValueArb, { maxKeys: 2 }),
);

/** An array of `length` with only the given elements set: the others are holes. */
function holed(length: number, ...elements: [index: number, value: unknown][]): unknown[] {
  const array = new Array<unknown>(length);
  for (const [index, value] of elements) array[index] = value;
  return array;
}

/** A deep clone with every object's properties inserted in a shuffled order (at every depth). */
function reshuffle(value: unknown, random: () => number): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (const index of Object.keys(value)) out[Number(index)] = reshuffle(value[Number(index)], random);
    return out;
  }
  const names = Object.keys(value);
  for (let index = names.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [names[index], names[other]] = [names[other]!, names[index]!];
  }
  return objectOf(
    names.map((name) => [name, reshuffle((value as Record<string, unknown>)[name], random)]),
    random() < 0.5,
  );
}

// ---------------------------------------------------------------------------------------------------------------------

describe('ObjectKeyCache', () => {
  it('gives exactly the canonical key of every argument, new or cached, in one shared trie (property)', () => {
    fc.assert(
      fc.property(fc.array(argumentArb, { maxLength: 30 }), (values) => {
        const cache = new ObjectKeyCache();
        // Each value twice, so the second one is answered from the trie, among the paths of all the others.
        for (const value of [...values, ...values]) expect(cache.keyOf(value)).toBe(canonical(value));
      }),
      { numRuns: 1500 },
    );
  });

  it('gives equal keys exactly when the canonical encodings are equal, also among close values (property)', () => {
    fc.assert(
      fc.property(fc.array(closeArgumentArb, { minLength: 2, maxLength: 12 }), (values) => {
        const cache = new ObjectKeyCache();
        const keys = values.map((value) => cache.keyOf(value));
        const again = values.map((value) => cache.keyOf(value));
        for (let left = 0; left < values.length; left++) {
          expect(again[left]).toBe(keys[left]);
          for (let right = 0; right < values.length; right++) {
            expect(keys[left] === keys[right]).toBe(canonical(values[left]) === canonical(values[right]));
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the entry of the general path: a Map keyed by memoryKeyForArgs hits exactly as with the canonical key', () => {
    fc.assert(
      fc.property(argumentArb, argumentArb, (stored, looked) => {
        const cache = new ObjectKeyCache();
        const memory = new Map([[memoryKeyForArgs([stored]), 'entry']]);
        cache.keyOf(looked);
        const key = cache.keyOf(looked);
        expect(memory.has(key)).toBe(canonical(stored) === canonical(looked));
        expect(canonicalFromMemoryKey(key)).toBe(canonicalizeArgs([looked]));
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores property order at every depth: shuffled clones share the key (property)', () => {
    fc.assert(
      fc.property(argumentArb, fc.integer(), (value, seed) => {
        let state = seed >>> 0;
        const random = (): number => {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          return state / 2 ** 32;
        };
        const cache = new ObjectKeyCache();
        const key = cache.keyOf(value);
        for (let copy = 0; copy < 3; copy++) expect(cache.keyOf(reshuffle(value, random) as object)).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers a repeated argument with the very string it stored, whose hash V8 keeps', () => {
    const cache = new ObjectKeyCache();
    const first = cache.keyOf({ id: 42, tags: ['a', 'b'], options: { deep: true, depth: 3 } });
    const again = cache.keyOf({ options: { depth: 3, deep: true }, tags: ['a', 'b'], id: 42 });
    const same = cache.keyOf({ id: 42, tags: ['a', 'b'], options: { deep: true, depth: 3 } });
    expect(again).toBe(first);
    expect(Object.is(same, first)).toBe(true);
  });

  it('answers repeated calls from the trie for every kind of token, and keeps earlier paths when calls branch', () => {
    // A getter enumerated first is read by the walk: once on a hit, and once more by the tokenizer on a miss.
    let reads = 0;
    const probed = (value: unknown): object => {
      const probe = (): string => {
        reads++;
        return 'probe';
      };
      const object = Object.defineProperty({}, 'probe', { enumerable: true, get: probe });
      return Object.assign(object, { value });
    };
    const cache = new ObjectKeyCache();
    const values = [
      Number.NaN,
      -0,
      0,
      1n,
      undefined,
      null,
      '',
      holed(2, [1, 'x']),
      [Number.NaN, -0],
      { b: new Date(Number.NaN), a: new Date(0) },
      [[[]]],
    ];
    for (const value of values) cache.keyOf(probed(value));
    for (let round = 0; round < 2; round++) {
      for (const value of values) {
        const before = reads;
        expect(cache.keyOf(probed(value))).toBe(canonical({ probe: 'probe', value }));
        expect(reads - before).toBe(1);
      }
    }
  });

  it('keeps apart what Map keys alone would merge or JSON would lose: -0, NaN, 1 and "1" and 1n, holes', () => {
    const cache = new ObjectKeyCache();
    const values: object[] = [
      { a: 0 },
      { a: -0 },
      { a: Number.NaN },
      { a: null },
      { a: undefined },
      {},
      { a: 1 },
      { a: '1' },
      { a: 1n },
      { a: true },
      { a: 'true' },
      { a: [] },
      { a: {} },
      { a: new Date(1) },
      holed(3, [0, 1], [2, 3]),
      [1, undefined, 3],
      [1, null, 3],
      [[0]],
      [[-0]],
      [{ '': 0 }],
      [''],
      [[]],
      new Date(0),
      new Date(Number.NaN),
      [new Date(0)],
      [0],
    ];
    const keys = values.map((value) => cache.keyOf(value));
    expect(new Set(keys).size).toBe(values.length);
    // From the trie now, and still apart.
    expect(values.map((value) => cache.keyOf(value))).toEqual(keys);
    expect(keys).toEqual(values.map(canonical));
  });

  it('encodes non-enumerable symbol keys as the canonical path does and refuses enumerable ones with its error', () => {
    const cache = new ObjectKeyCache();
    const hidden = { a: 1 };
    Object.defineProperty(hidden, Symbol('hidden'), { value: 2, enumerable: false });
    cache.keyOf({ a: 1 });
    expect(cache.keyOf(hidden)).toBe(canonical({ a: 1 }));
    const visible = { a: 1, [Symbol('visible')]: 2 };
    for (let call = 0; call < 2; call++) {
      expect(() => cache.keyOf(visible)).toThrow(KeyEncodingError);
      expect(() => cache.keyOf({ nested: visible })).toThrow(/args\[0\]\.nested/);
    }
  });

  it('throws the canonical KeyEncodingError, naming the path, even where the trie knows a prefix', () => {
    const cache = new ObjectKeyCache();
    cache.keyOf({ a: 1, b: { c: 2 } });
    const cyclic: Record<string, unknown> = { a: 1, b: { c: 2 } };
    (cyclic.b as Record<string, unknown>).d = cyclic;
    class Point {
      x = 1;
    }
    const cases: [object, string][] = [
      [cyclic, 'args[0].b.d'],
      [{ a: 1, b: { c: () => 2 } }, 'args[0].b.c'],
      [{ a: 1, b: new Point() }, 'args[0].b'],
      [{ a: 1, b: { c: Symbol('s') } }, 'args[0].b.c'],
      [[1, [new WeakMap()]], 'args[0][1][0]'],
      [new Point(), 'args[0]'],
    ];
    for (const [value, path] of cases) {
      for (let call = 0; call < 2; call++) {
        let error: unknown;
        try {
          cache.keyOf(value);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(KeyEncodingError);
        expect((error as KeyEncodingError).path).toBe(path);
      }
    }
    expect(cache.keyOf({ a: 1, b: { c: 2 } })).toBe(canonical({ a: 1, b: { c: 2 } }));
  });

  it('passes values it does not cache through to the canonical encoding', () => {
    const cache = new ObjectKeyCache();
    let deep: unknown = 1;
    for (let depth = 0; depth < 40; depth++) deep = { deep };
    const values: object[] = [
      new Map([[1, { a: 1 }]]),
      { a: new Set([1]), b: /x/g, c: Buffer.from('ab'), d: new Uint16Array([1]) },
      { long: 'x'.repeat(20_000) },
      deep as object,
      Array.from({ length: 300 }, (_, index) => index),
    ];
    for (let call = 0; call < 2; call++) {
      for (const value of values) expect(cache.keyOf(value)).toBe(canonical(value));
    }
  });

  it('reads a getter once on a hit, twice on a miss, and keys the values of a single read', () => {
    const cache = new ObjectKeyCache();
    for (let value = 0; value < 4; value++) cache.keyOf({ a: value, b: 'x' });
    let reads = 0;
    const shifting = {
      get a() {
        reads++;
        return reads % 5;
      },
      b: 'x',
    };
    for (let call = 0; call < 20; call++) {
      const before = reads;
      const key = cache.keyOf(shifting);
      // A hit reads the getter once; a miss reads it twice (the walk, then the tokenizer) and keys the second read.
      expect(key).toBe(canonical({ a: reads % 5, b: 'x' }));
      expect(reads - before).toBeLessThanOrEqual(2);
    }
    for (let value = 0; value < 5; value++)
      expect(cache.keyOf({ a: value, b: 'x' })).toBe(canonical({ a: value, b: 'x' }));
  });

  it('never mutates its argument (property order, holes, values)', () => {
    const cache = new ObjectKeyCache();
    const value = { b: holed(3, [0, 1], [2, { d: 1, c: 2 }]), a: new Date(5) };
    const before = JSON.stringify(Object.keys(value)) + JSON.stringify(value) + String(1 in value.b);
    cache.keyOf(value);
    cache.keyOf(value);
    expect(JSON.stringify(Object.keys(value)) + JSON.stringify(value) + String(1 in value.b)).toBe(before);
  });

  it('stays correct, and on, across the clears of a full trie while most calls repeat', () => {
    // Each round adds one new argument (a few hundred bytes) and repeats two: the 4000-byte trie is cleared every few rounds.
    const cache = new ObjectKeyCache(4000);
    for (let round = 0; round < 60; round++) {
      for (let value = round; value < round + 3; value++) {
        expect(cache.keyOf({ value, name: 'repeated' })).toBe(canonical({ name: 'repeated', value }));
      }
    }
    expect(cache.enabled).toBe(true);
  });

  it('turns itself off when it answered fewer calls than it had to tokenize, and still gives canonical keys', () => {
    const distinct = new ObjectKeyCache();
    for (let value = 0; value < 1024; value++) distinct.keyOf({ value });
    expect(distinct.enabled).toBe(false);
    expect(distinct.keyOf({ b: 1, a: 2 })).toBe(canonical({ a: 2, b: 1 }));

    const uncacheable = new ObjectKeyCache();
    const long = { text: 'x'.repeat(20_000) };
    for (let call = 0; call < 1024; call++) uncacheable.keyOf(long);
    expect(uncacheable.enabled).toBe(false);

    const small = new ObjectKeyCache(2000);
    for (let value = 0; value < 40; value++) small.keyOf({ value });
    expect(small.enabled).toBe(false);
  });
});
