import { describe, expect, it } from 'vitest';
import { describeChange, diffTagged, sameJson } from '../../src/cli/value-diff.js';
import { decodeTagged, encodeTagged, type Json } from '../../src/codec.js';

/** The diff lines between two values, encoded as memotape records them. */
function lines(before: unknown, after: unknown): string[] {
  return diffTagged(encodeTagged(before), encodeTagged(after), 'result').map(describeChange);
}

describe('diffTagged', () => {
  it('is empty for equal values', () => {
    const value = { items: [1, { a: new Date(0) }], map: new Map([[1, 'x']]) };
    expect(lines(value, structuredClone(value))).toEqual([]);
  });

  it('names each changed leaf by its path, with JSON-quoted strings', () => {
    const before = { items: [{ name: 'a' }, { name: 'b' }, { name: 'a' }], 'odd key': 1 };
    const after = { items: [{ name: 'a' }, { name: 'b' }, { name: 'b' }], 'odd key': 2 };
    expect(lines(before, after)).toEqual(['result.items[2].name: "a" → "b"', 'result["odd key"]: 1 → 2']);
  });

  it('reports added and removed properties and array elements as (absent) on one side', () => {
    expect(lines({ a: 1, list: [1, 2] }, { b: 2, list: [1] })).toEqual([
      'result.a: 1 → (absent)',
      'result.list[1]: 2 → (absent)',
      'result.b: (absent) → 2',
    ]);
  });

  it('walks a Map by its keys', () => {
    const before = new Map<unknown, unknown>([
      ['id', 1],
      [2n, { deep: true }],
      ['gone', 0],
    ]);
    const after = new Map<unknown, unknown>([
      ['id', 2],
      [2n, { deep: false }],
      ['new', 0],
    ]);
    expect(lines(before, after)).toEqual([
      'result.get("id"): 1 → 2',
      'result.get(2n).deep: true → false',
      'result.get("gone"): 0 → (absent)',
      'result.get("new"): (absent) → 0',
    ]);
  });

  it('shows a Date, a Set or a BigInt whole, decoded', () => {
    expect(lines({ at: new Date(0) }, { at: new Date(1000) })).toEqual([
      'result.at: 1970-01-01T00:00:00.000Z → 1970-01-01T00:00:01.000Z',
    ]);
    expect(lines(new Set([1, 2]), new Set([1, 3]))).toEqual(['result: Set(2) { 1, 2 } → Set(2) { 1, 3 }']);
    expect(lines({ n: 1 }, { n: 1n })).toEqual(['result.n: 1 → 1n']);
  });

  it('walks an object with its own "$mt" key as the object it is', () => {
    expect(lines({ $mt: 'user data', n: 1 }, { $mt: 'user data', n: 2 })).toEqual(['result.n: 1 → 2']);
  });

  it('compares an array with holes whole, since a hole shifts the indexes after it', () => {
    // biome-ignore lint/suspicious/noSparseArray: the point of the test
    expect(lines([1, , 3], [1, 2, 3])).toEqual(['result: [ 1, <1 empty item>, 3 ] → [ 1, 2, 3 ]']);
  });

  it('reports a change of key order alone, since a replay returns the recorded order', () => {
    expect(lines({ a: 1, b: 2 }, { b: 2, a: 1 })).toEqual(['result: same keys, in another order']);
    expect(
      lines(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    ).toEqual(['result: same keys, in another order']);
  });

  it('keeps the tagged JSON of both sides in each change', () => {
    const [change] = diffTagged(encodeTagged({ at: new Date(0) }), encodeTagged({ at: new Date(5) }), 'result');
    expect(change).toEqual({
      kind: 'changed',
      path: 'result.at',
      before: { $mt: 'D', v: 0 },
      after: { $mt: 'D', v: 5 },
    });
    expect(decodeTagged(change!.after)).toEqual(new Date(5));
  });
});

describe('sameJson', () => {
  it('compares deeply, key order included', () => {
    expect(sameJson({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson([1] as Json, { 0: 1 })).toBe(false);
  });
});
