import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isTaggedJson } from '../../src/codec/as-is.js';
import { encodeTagged } from '../../src/codec.js';

/** What serializing the value in place of its encoding must give: the encoding's text. */
function writesAsItsEncoding(value: unknown): void {
  expect(JSON.stringify(value, null, 2)).toBe(JSON.stringify(encodeTagged(value), null, 2));
}

/** Values with what a shortcut could get wrong: integer-like and prototype keys, the tag key, awkward numbers. */
const key = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('0', '10', '__proto__', 'toJSON', '$mt', 'v'));
const anyValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, undefined, -0, 0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-324),
    fc.double(),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.sparseArray(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: false }),
  ),
})).value;

describe('isTaggedJson', () => {
  afterEach(() => {
    delete (Object.prototype as { toJSON?: unknown }).toJSON;
    delete (Array.prototype as { toJSON?: unknown }).toJSON;
  });

  it('accepts only values that serialize exactly as their tagged encoding', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        if (isTaggedJson(value)) writesAsItsEncoding(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts plain JSON data: objects with or without a prototype, arrays, strings, finite numbers', () => {
    const bare = Object.assign(Object.create(null) as object, { a: [1, 'b', null] });
    for (const value of [{ id: 1, name: 'x', tags: ['a'], score: 1 / 7 }, bare, [], {}, 'text', 0, false, null]) {
      expect(isTaggedJson(value)).toBe(true);
      writesAsItsEncoding(value);
    }
  });

  it.each([
    ['undefined', undefined],
    ['-0', -0],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Point {})()],
    ['a hole in an array', Object.assign(new Array(3), { 0: 1, 2: 3 })],
    ['undefined in an array', [undefined]],
    ['a `$mt` key, which the encoding escapes', { $mt: 'x' }],
    ['a function', { call: () => 1 }],
    ['a symbol-keyed property', { [Symbol('s')]: 1 }],
  ])('refuses %s, which has a tag or no encoding', (_, value) => {
    expect(isTaggedJson(value)).toBe(false);
  });

  it('refuses a getter without calling it: reading the value twice could give two answers', () => {
    let reads = 0;
    const value = {
      get count() {
        reads++;
        return reads;
      },
    };
    const element: unknown[] = [1];
    Object.defineProperty(element, 0, { get: () => reads++, enumerable: true });
    expect(isTaggedJson({ nested: value })).toBe(false);
    expect(isTaggedJson({ list: element })).toBe(false);
    expect(reads).toBe(0);
  });

  it('refuses a proxy without running its traps', () => {
    let traps = 0;
    const proxy = new Proxy(
      {},
      {
        get: () => traps++,
        ownKeys: () => {
          traps++;
          return [];
        },
        getPrototypeOf: () => {
          traps++;
          return Object.prototype;
        },
      },
    );
    expect(isTaggedJson({ proxy })).toBe(false);
    expect(traps).toBe(0);
  });

  it('refuses values JSON.stringify would hand to a toJSON method', () => {
    const own = Object.defineProperty({ a: 1 }, 'toJSON', { value: () => 'replaced' });
    expect(isTaggedJson(own)).toBe(false);
    expect(isTaggedJson({ a: 1 })).toBe(true);
    (Object.prototype as { toJSON?: unknown }).toJSON = () => 'polluted';
    expect(isTaggedJson({ a: 1 })).toBe(false);
    delete (Object.prototype as { toJSON?: unknown }).toJSON;
    (Array.prototype as { toJSON?: unknown }).toJSON = () => 'polluted';
    expect(isTaggedJson([1])).toBe(false);
  });

  it('refuses values nested too deeply to check, including cycles', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(isTaggedJson(cycle)).toBe(false);
    let deep: unknown = 1;
    for (let depth = 0; depth < 100; depth++) deep = [deep];
    expect(isTaggedJson(deep)).toBe(false);
  });
});
