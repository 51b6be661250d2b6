import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entriesByKey, keyPrefix } from '../../src/dump/key-order.js';

/** What entriesByKey must answer: the keys sorted as strings, and each key's value. */
function expected<Value>(entries: Map<string, Value>): { keys: string[]; values: Value[] } {
  const keys = [...entries.keys()].sort();
  return { keys, values: keys.map((key) => entries.get(key)!) };
}

const hexKey = fc.stringMatching(/^[0-9a-f]{32}$/);
/** Keys that share their first 7 digits (the number sorted natively), so that only the strings tell them apart. */
const sharedPrefixKey = fc
  .tuple(fc.constantFrom('0000000', 'abcdef0', 'fffffff'), fc.stringMatching(/^[0-9a-f]{25}$/))
  .map(([prefix, rest]) => prefix + rest);

describe('entriesByKey', () => {
  it('orders persisted keys as sorting the strings does, with each key’s value', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(hexKey, sharedPrefixKey), { maxLength: 300 }), (keys) => {
        const entries = new Map(keys.map((key, index) => [key, index]));
        const sorted = entriesByKey(entries);
        expect({ keys: sorted.keys, values: sorted.values }).toEqual(expected(entries));
        expect(sorted.prefixes).toEqual(sorted.keys.map((key) => keyPrefix(key)));
      }),
      { numRuns: 200 },
    );
  });

  it('sorts any other keys as strings, and gives no prefixes then', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(hexKey, fc.string({ maxLength: 10 })), { maxLength: 50 }), (keys) => {
        const entries = new Map(keys.map((key, index) => [key, index]));
        const sorted = entriesByKey(entries);
        expect({ keys: sorted.keys, values: sorted.values }).toEqual(expected(entries));
        if (keys.some((key) => keyPrefix(key) < 0)) expect(sorted.prefixes).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('handles no entries', () => {
    expect(entriesByKey(new Map())).toEqual({ keys: [], values: [], prefixes: [] });
  });
});

describe('keyPrefix', () => {
  it('reads the first 7 lowercase hex digits as a number', () => {
    expect(keyPrefix('0000001ffff')).toBe(1);
    expect(keyPrefix('fffffff')).toBe(0xfffffff);
    expect(keyPrefix('xx0123456', 2)).toBe(0x0123456);
  });

  it('answers -1 for text that does not start with 7 such digits', () => {
    for (const text of ['ABCDEF0', '012345', '012345g', '']) expect(keyPrefix(text)).toBe(-1);
  });

  it('orders keys as the strings are ordered where the prefixes differ', () => {
    fc.assert(
      fc.property(hexKey, hexKey, (left, right) => {
        const difference = keyPrefix(left) - keyPrefix(right);
        if (difference !== 0) expect(difference < 0).toBe(left < right);
      }),
    );
  });
});
