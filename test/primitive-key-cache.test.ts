import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeArgList } from '../src/key.js';
import { PrimitiveKeyCache } from '../src/primitive-key-cache.js';

// Primitives that Map keys (SameValueZero) and the canonical encoding could tell apart differently: 0 and -0, NaN,
// 1 and "1" and 1n, null and undefined and "null", true and "true".
const primitiveArb = fc.oneof(
  fc.constantFrom<unknown>(0, -0, Number.NaN, 1, '1', 1n, -1n, null, undefined, 'null', 'undefined', true, 'true', ''),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.bigInt(),
);
const callArb = fc.tuple(fc.constantFrom<2 | 3>(2, 3), primitiveArb, primitiveArb, primitiveArb);

describe('PrimitiveKeyCache', () => {
  it('gives exactly the canonical key of every call, cached or not (property)', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 40 }), (calls) => {
        const cache = new PrimitiveKeyCache(16);
        // Each call twice, so the second one is answered from the cache when it is cacheable.
        for (const call of [...calls, ...calls]) {
          const [count, first, second, third] = call;
          expect(cache.keyOf(count, first, second, third)).toBe(canonicalizeArgList(count, first, second, third));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps 0 and -0, 1 and "1", null and undefined apart', () => {
    const cache = new PrimitiveKeyCache();
    const keys = [
      cache.keyOf(2, 0, 'a', undefined),
      cache.keyOf(2, -0, 'a', undefined),
      cache.keyOf(2, 1, 'a', undefined),
      cache.keyOf(2, '1', 'a', undefined),
      cache.keyOf(3, null, 'a', true),
      cache.keyOf(3, undefined, 'a', true),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(cache.keyOf(2, -0, 'a', undefined)).toBe(keys[1]);
  });

  it('answers a repeated call with the same string object it stored', () => {
    const cache = new PrimitiveKeyCache();
    const first = cache.keyOf(3, 42, 'user', false);
    const memory = new Map([[first, 'entry']]);
    const again = cache.keyOf(3, 42, 'user', false);
    expect(again).toBe(first);
    expect(memory.get(again)).toBe('entry');
  });

  it('clears itself when full and stays correct afterwards', () => {
    const cache = new PrimitiveKeyCache(4);
    for (let round = 0; round < 3; round++) {
      for (let value = 0; value < 3; value++) {
        expect(cache.keyOf(2, value, 'x', undefined)).toBe(canonicalizeArgList(2, value, 'x', undefined));
      }
    }
    expect(cache.keyOf(2, 99, 'x', undefined)).toBe(canonicalizeArgList(2, 99, 'x', undefined));
    expect(cache.enabled).toBe(true);
  });

  it('turns itself off when a full cache saw fewer repeated calls than new ones', () => {
    const cache = new PrimitiveKeyCache(8);
    for (let value = 0; value < 8; value++) cache.keyOf(2, value, 'distinct', undefined);
    expect(cache.enabled).toBe(false);
    expect(cache.keyOf(3, 1, 'a', 'b')).toBe(canonicalizeArgList(3, 1, 'a', 'b'));
  });

  it('passes non-primitive arguments through to the canonical encoding', () => {
    const cache = new PrimitiveKeyCache();
    const object = { b: 1, a: [2] };
    expect(cache.keyOf(2, object, 1, undefined)).toBe(canonicalizeArgList(2, { a: [2], b: 1 }, 1, undefined));
    expect(() => cache.keyOf(2, 1, () => 1, undefined)).toThrow(/args\[1\]/);
  });
});
