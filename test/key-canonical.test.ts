import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, canonicalizeArgs, memoryKeyForArgs } from '../src/key.js';
import { closeValueArb, stringArb, valueArb } from './helpers/key-arbitraries.js';
import { deepFreeze, mulberry32, reshuffle, same, snapshot } from './helpers/key-model.js';

describe('canonicalize: distinct values give distinct keys', () => {
  const distinct = (...values: unknown[]) => {
    const keys = values.map((value) => canonicalize(value));
    expect(new Set(keys).size).toBe(keys.length);
  };

  it('distinguishes 1 from "1" and from 1n', () => {
    distinct(1, '1', 1n, [1], ['1'], { a: 1 }, { a: '1' });
  });

  it('distinguishes 0 from -0, also nested, and gives -0 a stable key', () => {
    distinct(0, -0);
    distinct([0], [-0]);
    distinct({ a: 0 }, { a: -0 });
    distinct(new Set([0]), new Set([[-0]]));
    expect(canonicalize(-0)).toBe(canonicalize(-0));
    expect(canonicalize(0)).toBe(canonicalize(+0));
  });

  it('gives NaN one key, equal to itself whatever its origin', () => {
    expect(canonicalize(Number.NaN)).toBe(canonicalize(0 / 0));
    expect(canonicalize([Number.NaN])).toBe(canonicalize([Math.sqrt(-1)]));
    distinct(Number.NaN, 'NaN', Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0);
  });

  it('distinguishes null, undefined and a missing property', () => {
    distinct(null, undefined, 'null', 'undefined');
    distinct({ a: null }, { a: undefined }, {}, { a: 'undefined' });
    distinct([null], [undefined], []);
  });

  it('distinguishes a sparse-array hole from an undefined element', () => {
    const holeThenOne = [];
    holeThenOne[1] = 1;
    distinct(holeThenOne, [undefined, 1], [1], new Array(2), [undefined, undefined]);
    const twoHoles = [0, 0];
    delete twoHoles[0];
    delete twoHoles[1];
    expect(canonicalize(new Array(2))).toBe(canonicalize(twoHoles));
    expect(canonicalize(structuredClone(holeThenOne))).toBe(canonicalize(holeThenOne));
  });

  it('distinguishes bigint from number, and compares bigints by value', () => {
    distinct(1n, 1, -1n, 0n, 0, -0, 2n ** 64n, 2 ** 64);
    expect(canonicalize(2n ** 64n)).toBe(canonicalize(BigInt('18446744073709551616')));
  });

  it('compares Dates by time: equal times are equal, other types and times differ, invalid Dates are equal', () => {
    expect(canonicalize(new Date(1000))).toBe(canonicalize(new Date('1970-01-01T00:00:01.000Z')));
    expect(canonicalize(new Date(Number.NaN))).toBe(canonicalize(new Date('not a date')));
    distinct(new Date(0), new Date(1), new Date(Number.NaN), 0, new Date(0).toISOString(), {});
  });

  it('compares RegExps by source and flags, ignoring lastIndex', () => {
    const sticky = /a/g;
    sticky.lastIndex = 3;
    expect(canonicalize(sticky)).toBe(canonicalize(/a/g));
    expect(canonicalize(/a/gi)).toBe(canonicalize(/a/gi));
    distinct(/a/, /a/g, /a/i, /b/, /a\//, '/a/', /s1:a\/g/, /a|b/, /(?:)/);
  });

  it('gives content-equal Maps one key whatever their insertion order, and different content different keys', () => {
    expect(
      canonicalize(
        new Map<unknown, unknown>([
          ['a', 1],
          [2, 'b'],
          [null, [1]],
        ]),
      ),
    ).toBe(
      canonicalize(
        new Map<unknown, unknown>([
          [null, [1]],
          [2, 'b'],
          ['a', 1],
        ]),
      ),
    );
    expect(canonicalize(new Map([[{ x: 1, y: 2 }, 1]]))).toBe(canonicalize(new Map([[{ y: 2, x: 1 }, 1]])));
    distinct(
      new Map(),
      new Map([['a', 1]]),
      new Map([['a', 2]]),
      new Map([['b', 1]]),
      new Map([[1, 'a']]),
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
      new Map<unknown, unknown>([['a', new Map([['b', 1]])]]),
      new Map([[{}, 1]]),
      new Map([[{}, undefined]]),
      [['a', 1]],
      { a: 1 },
      new Set([['a', 1]]),
      new Set(),
      {},
      [],
    );
  });

  it('treats Map keys by content: two distinct but equal object keys differ from one', () => {
    distinct(
      new Map([[{}, 1]]),
      new Map([
        [{}, 1],
        [{}, 1],
      ]),
    );
  });

  it('gives content-equal Sets one key whatever their insertion order, and different content different keys', () => {
    expect(canonicalize(new Set([1, 'a', null, [2]]))).toBe(canonicalize(new Set([[2], null, 'a', 1])));
    expect(canonicalize(new Set([new Set([1, 2]), 3]))).toBe(canonicalize(new Set([3, new Set([2, 1])])));
    distinct(new Set(), new Set([1]), new Set(['1']), new Set([1, 2]), new Set([[1, 2]]), new Set([{}, {}]), [1]);
  });

  it('distinguishes typed arrays of different types holding the same bytes', () => {
    const bytes = new Uint8Array([1, 0, 0, 0, 0, 0, 240, 63]);
    distinct(
      new Uint8Array(bytes.buffer),
      new Int8Array(bytes.buffer),
      new Uint8ClampedArray(bytes.buffer),
      new Uint16Array(bytes.buffer),
      new Int16Array(bytes.buffer),
      new Uint32Array(bytes.buffer),
      new Int32Array(bytes.buffer),
      new Float32Array(bytes.buffer),
      new Float64Array(bytes.buffer),
      new BigInt64Array(bytes.buffer),
      new BigUint64Array(bytes.buffer),
      Buffer.from(bytes),
      bytes.buffer,
      new DataView(bytes.buffer),
      [...bytes],
    );
  });

  it('distinguishes a Buffer from a Uint8Array with the same bytes', () => {
    distinct(Buffer.from('hi'), new Uint8Array(Buffer.from('hi')), 'hi');
    expect(canonicalize(Buffer.from('hi'))).toBe(canonicalize(Buffer.from([0x68, 0x69])));
  });

  it('compares binary data by its own bytes only, whatever the underlying buffer and offset', () => {
    const big = new Uint8Array([9, 1, 2, 3, 9]);
    expect(canonicalize(big.subarray(1, 4))).toBe(canonicalize(new Uint8Array([1, 2, 3])));
    expect(canonicalize(new DataView(big.buffer, 1, 3))).toBe(
      canonicalize(new DataView(new Uint8Array([1, 2, 3]).buffer)),
    );
    expect(canonicalize(Buffer.from(big.buffer, 1, 3))).toBe(canonicalize(Buffer.from([1, 2, 3])));
    expect(canonicalize(new Uint8Array([1, 2]).buffer)).toBe(canonicalize(new Uint8Array([1, 2]).buffer));
    distinct(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]), new Uint8Array([1, 2, 3, 0]), new Uint8Array());
    distinct(new ArrayBuffer(0), new ArrayBuffer(1), new ArrayBuffer(2), new DataView(new ArrayBuffer(1)));
    distinct(new Float64Array([0]), new Float64Array([-0]), new Float64Array([Number.NaN]));
  });

  it('gives a null-prototype object the key of a plain object with the same content', () => {
    const bare = Object.assign(Object.create(null), { b: [1], a: { c: 2 } });
    expect(canonicalize(bare)).toBe(canonicalize({ a: { c: 2 }, b: [1] }));
    expect(canonicalize([Object.create(null)])).toBe(canonicalize([{}]));
    distinct(Object.assign(Object.create(null), { a: 1 }), Object.assign(Object.create(null), { a: 2 }));
  });

  it('encodes an own `__proto__` property like any other key', () => {
    const withProto = JSON.parse('{"__proto__": 1, "a": 2}') as object;
    distinct(withProto, { a: 2 }, { __proto__x: 1, a: 2 });
  });

  it('distinguishes nested mixes of every supported type', () => {
    const make = (leaf: unknown) => ({
      list: [1, 'two', 3n, null, undefined, new Date(5), /x/g],
      map: new Map<unknown, unknown>([
        ['k', new Set([leaf])],
        [1, [new Uint8Array([1])]],
      ]),
      nested: { deep: { deeper: [leaf, Buffer.from('z'), new DataView(new ArrayBuffer(2))] } },
    });
    expect(canonicalize(make(1))).toBe(canonicalize(make(1)));
    distinct(make(1), make('1'), make(1n), make(-0), make(0), make([1]), make(undefined), make(null), make({}));
  });

  it('keeps strings containing the grammar delimiters apart, and never confuses them with structure', () => {
    distinct(
      ['a,b'],
      ['a', 'b'],
      ['a:b'],
      ['a]', 'b'],
      ['a', ']b'],
      ['a}b'],
      ['a=>b'],
      ['a=', '>b'],
      { 'a,s1:b': 1 },
      { a: 1, b: 1 },
      { 'a:n1,s1:b': 1 },
      { a: 'n1,s1:b' },
      new Map([['a=>n1,s1:b', 1]]),
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
      new Map([['a', 'b=>n1']]),
    );
  });

  it('never confuses strings that look like encodings with the values they encode', () => {
    distinct('s1:a', 'a', ['s1:a'], ['a']);
    distinct('n1', 1, 'u', undefined, 'z', null, 't', true, 'f', false, 'h', 'b1', 1n);
    distinct(canonicalize({ a: 1 }), { a: 1 }, canonicalize([1]), [1], canonicalize(new Map()), new Map());
    distinct('{s4:args:[n1]}', [1]);
    expect(canonicalizeArgs(['{s4:args:[n1]}'])).not.toBe(canonicalizeArgs([1]));
  });

  it('counts string length in UTF-16 code units, so astral characters and lone surrogates stay distinct', () => {
    distinct('😀', '\uD83D', '\uDE00', '\uD83D\uDE00a', ['\uD83D', '\uDE00']);
    expect(canonicalize('😀')).toBe(canonicalize('\uD83D\uDE00'));
  });

  it('equal keys if and only if reference-equal, over a small domain of close values', () => {
    fc.assert(
      fc.property(closeValueArb, closeValueArb, (a, b) => {
        expect(canonicalize(a) === canonicalize(b)).toBe(same(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('equal keys if and only if reference-equal, over all supported values', () => {
    fc.assert(
      fc.property(valueArb(), valueArb(), (a, b) => {
        expect(canonicalize(a) === canonicalize(b)).toBe(same(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps distinct strings (made of delimiters and encoding-like fragments) distinct in every position', () => {
    const strings = fc.array(stringArb, { maxLength: 4 });
    fc.assert(
      fc.property(strings, strings, (a, b) => {
        const equal = a.length === b.length && a.every((text, index) => text === b[index]);
        expect(canonicalize(a) === canonicalize(b)).toBe(equal);
        expect(canonicalizeArgs(a) === canonicalizeArgs(b)).toBe(equal);
        expect(canonicalize(new Set(a)) === canonicalize(new Set(b))).toBe(same(new Set(a), new Set(b)));
        const mapA = new Map(a.map((text, index) => [text, b[index] ?? text]));
        const mapB = new Map(b.map((text, index) => [text, a[index] ?? text]));
        expect(canonicalize(mapA) === canonicalize(mapB)).toBe(same(mapA, mapB));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('canonicalize: equal values give equal keys', () => {
  it('ignores property order: {a:1,b:2} and {b:2,a:1} give one key', () => {
    expect(canonicalize({ a: 1, b: 2 })).toBe(canonicalize({ b: 2, a: 1 }));
    expect(canonicalizeArgs([{ a: 1, b: 2 }])).toBe(canonicalizeArgs([{ b: 2, a: 1 }]));
  });

  it('ignores property order in nested objects, inside arrays, Maps and Sets', () => {
    const first = { outer: { a: 1, b: { c: 3, d: [{ e: 5, f: 6 }] } }, list: [{ x: 1, y: 2 }] };
    const second = { list: [{ y: 2, x: 1 }], outer: { b: { d: [{ f: 6, e: 5 }], c: 3 }, a: 1 } };
    expect(canonicalize(first)).toBe(canonicalize(second));
    expect(canonicalize(new Map([['k', { a: 1, b: 2 }]]))).toBe(canonicalize(new Map([['k', { b: 2, a: 1 }]])));
    expect(canonicalize(new Set([{ a: 1, b: 2 }]))).toBe(canonicalize(new Set([{ b: 2, a: 1 }])));
  });

  it('ignores the order of integer-like keys, which JavaScript enumerates first', () => {
    const first: Record<string, number> = {};
    first.b = 1;
    first['10'] = 2;
    first['9'] = 3;
    first.a = 4;
    expect(canonicalize(first)).toBe(canonicalize({ a: 4, 9: 3, 10: 2, b: 1 }));
  });

  it('gives a structuredClone of any supported value the same key', () => {
    fc.assert(
      fc.property(valueArb({ withBuffers: false }), (value) => {
        expect(canonicalize(structuredClone(value))).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a clone with shuffled property, Map and Set order (and moved binary data) the same key', () => {
    fc.assert(
      fc.property(valueArb(), fc.integer(), (value, seed) => {
        const clone = reshuffle(value, mulberry32(seed));
        expect(same(clone, value)).toBe(true);
        expect(canonicalize(clone)).toBe(canonicalize(value));
        expect(canonicalizeArgs([clone, value])).toBe(canonicalizeArgs([value, clone]));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives a shared, non-circular reference the key of separate equal copies', () => {
    const shared = { x: [1, 2] };
    expect(canonicalize({ a: shared, b: shared })).toBe(canonicalize({ a: { x: [1, 2] }, b: { x: [1, 2] } }));
    expect(canonicalize([shared, shared, [shared]])).toBe(
      canonicalize([{ x: [1, 2] }, { x: [1, 2] }, [{ x: [1, 2] }]]),
    );
    expect(canonicalize(new Map([[shared, shared]]))).toBe(canonicalize(new Map([[{ x: [1, 2] }, { x: [1, 2] }]])));
    expect(canonicalizeArgs([shared, shared])).toBe(canonicalizeArgs([{ x: [1, 2] }, { x: [1, 2] }]));
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(valueArb(), (value) => {
        expect(canonicalize(value)).toBe(canonicalize(value));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('canonicalize: inputs are left untouched', () => {
  it('never mutates its input (order of keys, Map and Set entries, bytes, holes, lastIndex)', () => {
    fc.assert(
      fc.property(valueArb(), (value) => {
        const before = snapshot(value);
        // Checked after every call, so two in-place changes that happen to cancel out cannot hide.
        canonicalize(value);
        expect(snapshot(value)).toEqual(before);
        canonicalizeArgs([value]);
        expect(snapshot(value)).toEqual(before);
        memoryKeyForArgs([value]);
        expect(snapshot(value)).toEqual(before);
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes deeply frozen values', () => {
    fc.assert(
      fc.property(valueArb(), (value) => {
        const expected = canonicalize(reshuffle(value, mulberry32(1)));
        expect(canonicalize(deepFreeze(value))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
