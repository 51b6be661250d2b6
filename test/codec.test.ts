import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canEncodeTagged, decodeTagged, encodeTagged, type Json } from '../src/codec.js';
import { bytesOf, roundTrip } from './helpers/codec-round-trip.js';

describe('plain JSON values', () => {
  it('pass through encodeTagged unchanged in shape', () => {
    const value = {
      s: 'text',
      n: 1.5,
      zero: 0,
      t: true,
      f: false,
      nil: null,
      list: [1, 'a', [null]],
      nested: { a: {} },
    };
    expect(encodeTagged(value)).toStrictEqual(value);
  });

  it('pass through unchanged for arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (generated) => {
        const value = JSON.parse(JSON.stringify(generated)) as Json; // normalizes -0 to 0, as JSON does
        expect(encodeTagged(value)).toStrictEqual(value);
        expect(decodeTagged(value)).toStrictEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('decode null-prototype objects as plain objects', () => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const decoded = roundTrip(value);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded).toStrictEqual({ a: 1 });
  });
});

describe('tagged values', () => {
  const cases: [string, unknown][] = [
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['bigint', -12345678901234567890123n],
    ['zero bigint', 0n],
    ['Date', new Date(Date.UTC(2024, 1, 29, 12, 30, 15, 123))],
    ['invalid Date', new Date(Number.NaN)],
    ['RegExp with flags', /a(b)?\/c[\]]/giu],
    ['RegExp without flags', /^$/],
    [
      'Map',
      new Map<unknown, unknown>([
        ['b', 1],
        [{ k: 1 }, new Date(0)],
        [2n, undefined],
      ]),
    ],
    ['Set', new Set<unknown>([3, 'a', { x: [1n] }, undefined])],
    ['Buffer', Buffer.from('héllo, wörld')],
    ['empty Buffer', Buffer.alloc(0)],
    ['Int8Array', new Int8Array([-128, 0, 127])],
    ['Uint8Array', new Uint8Array([0, 255])],
    ['Uint8ClampedArray', new Uint8ClampedArray([0, 128, 255])],
    ['Int16Array', new Int16Array([-32768, 32767])],
    ['Uint16Array', new Uint16Array([65535])],
    ['Int32Array', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['Uint32Array', new Uint32Array([2 ** 32 - 1])],
    ['Float32Array', new Float32Array([1.5, Number.NaN, -0, Number.POSITIVE_INFINITY])],
    ['Float64Array', new Float64Array([Math.PI, Number.NaN, -0, Number.NEGATIVE_INFINITY])],
    ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['BigUint64Array', new BigUint64Array([2n ** 64n - 1n])],
    ['ArrayBuffer', new Uint8Array([1, 2, 3]).buffer],
    ['DataView', new DataView(new Uint8Array([9, 8, 7]).buffer)],
    // biome-ignore lint/suspicious/noSparseArray: the holes are the point
    ['sparse array', [1, , 3, , , 6, ,]],
    ['array of holes only', new Array(5)],
    ['array with undefined elements', [undefined, 1, undefined]],
    ['Error', new Error('boom')],
    ['TypeError', new TypeError('bad type')],
    ['RangeError with a cause', new RangeError('out of range', { cause: { limit: 10n } })],
    ['Error with own enumerable primitive props', Object.assign(new Error('nope'), { code: 'E_NOPE', status: 404 })],
    ['object with a $mt key', { $mt: 'D', v: 0 }],
  ];

  it.each(cases)('round-trips %s through JSON text', (_name, value) => {
    const decoded = roundTrip(value);
    expect(decoded).toStrictEqual(value);
  });

  it('round-trips -0 and NaN as themselves', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
    expect(Number.isNaN(roundTrip(Number.NaN))).toBe(true);
    const decoded = roundTrip([-0, { z: -0 }]) as [number, { z: number }];
    expect(Object.is(decoded[0], -0)).toBe(true);
    expect(Object.is(decoded[1].z, -0)).toBe(true);
  });

  it('keeps holes as holes and undefined elements as undefined', () => {
    // biome-ignore lint/suspicious/noSparseArray: the holes are the point
    const decoded = roundTrip([undefined, , undefined, ,]) as unknown[];
    expect(decoded).toHaveLength(4);
    expect(0 in decoded).toBe(true);
    expect(1 in decoded).toBe(false);
    expect(2 in decoded).toBe(true);
    expect(3 in decoded).toBe(false);
    // biome-ignore lint/suspicious/noSparseArray: the holes are the point
    expect(encodeTagged([1, , , 4])).toStrictEqual([1, { $mt: 'h', v: 2 }, 4]);
  });

  it('round-trips a long run of holes compactly', () => {
    const sparse: unknown[] = [];
    sparse[100_000] = 'end';
    expect(JSON.stringify(encodeTagged(sparse)).length).toBeLessThan(50);
    expect(roundTrip(sparse)).toStrictEqual(sparse);
  });

  it('keeps the exact bytes of Float64Array NaN payloads and negative zeros', () => {
    const bytes = new Uint8Array([1, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x80]); // a non-canonical NaN, -0
    const value = new Float64Array(bytes.buffer);
    const decoded = roundTrip(value) as Float64Array;
    expect(decoded).toBeInstanceOf(Float64Array);
    expect(bytesOf(decoded)).toStrictEqual([...bytes]);
  });

  it('stores only the bytes a typed array or DataView views', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const view = new Uint16Array(backing.buffer, 2, 3);
    const decoded = roundTrip(view) as Uint16Array;
    expect(decoded).toStrictEqual(view);
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(6);
    const dataView = roundTrip(new DataView(backing.buffer, 4, 2)) as DataView;
    expect(bytesOf(dataView)).toStrictEqual([4, 5]);
  });

  it('keeps Map insertion order and encodes keys and values recursively', () => {
    const map = new Map<unknown, unknown>([
      ['z', 1],
      [new Date(5), new Set([1n])],
      ['a', undefined],
    ]);
    const decoded = roundTrip(map) as Map<unknown, unknown>;
    expect([...decoded.keys()]).toStrictEqual(['z', new Date(5), 'a']);
    expect(decoded).toStrictEqual(map);
  });

  it('uses the documented compact format', () => {
    expect(
      encodeTagged({
        u: undefined,
        n: [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
        b: 5n,
        d: [new Date(1000), new Date(Number.NaN)],
        r: /x/g,
        m: new Map([[1, 'one']]),
        s: new Set(['a']),
        buf: Buffer.from([1, 2]),
        t: new Uint8Array([255]),
        ab: new Uint8Array([1]).buffer,
        dv: new DataView(new Uint8Array([2]).buffer),
        e: Object.assign(new TypeError('bad'), { code: 'E1', nested: { dropped: true } }),
        o: { $mt: 'user data' },
      }),
    ).toStrictEqual({
      u: { $mt: 'u' },
      n: [
        { $mt: 'n', v: 'NaN' },
        { $mt: 'n', v: '-0' },
        { $mt: 'n', v: 'Infinity' },
        { $mt: 'n', v: '-Infinity' },
      ],
      b: { $mt: 'b', v: '5' },
      d: [
        { $mt: 'D', v: 1000 },
        { $mt: 'D', v: null },
      ],
      r: { $mt: 'R', v: ['x', 'g'] },
      m: { $mt: 'M', v: [[1, 'one']] },
      s: { $mt: 'S', v: ['a'] },
      buf: { $mt: 'B', v: 'AQI=' },
      t: { $mt: 'T', v: ['Uint8Array', '/w=='] },
      ab: { $mt: 'A', v: 'AQ==' },
      dv: { $mt: 'V', v: 'Ag==' },
      e: { $mt: 'E', v: { n: 'TypeError', m: 'bad', p: { code: 'E1' } } },
      o: { $mt: 'O', v: { $mt: 'user data' } },
    });
  });

  it('round-trips a nested mix of every tagged type', () => {
    const value = {
      id: 7n,
      when: new Date(1_700_000_000_000),
      pattern: /^\d+$/m,
      results: [
        { score: Number.NaN, delta: -0, limit: Number.POSITIVE_INFINITY, note: undefined },
        new Map<unknown, unknown>([
          [1n, new Set([new Uint8Array([1, 2]), Buffer.from('x')])],
          // biome-ignore lint/suspicious/noSparseArray: the hole is the point
          [{ $mt: 'key object' }, [, new Float32Array([0.5])]],
        ]),
      ],
      raw: { buffer: new Int32Array([1, -1]).buffer, view: new DataView(new ArrayBuffer(3)) },
      failure: Object.assign(new SyntaxError('unexpected token'), { line: 3, fatal: true, hint: null }),
      escaped: { $mt: { $mt: 'deeper', v: [undefined] } },
      empty: { list: [], object: {}, map: new Map(), set: new Set() },
    };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('duplicates shared, non-circular references', () => {
    const shared = { a: [1, 2] };
    const decoded = roundTrip({ x: shared, y: shared, list: [shared, shared] }) as Record<string, unknown>;
    expect(decoded).toStrictEqual({ x: shared, y: shared, list: [shared, shared] });
    expect(decoded.x).not.toBe(decoded.y);
  });
});

describe('escaping of $mt keys', () => {
  it('wraps user objects with an own $mt key so they are never read as tags', () => {
    const value = { $mt: 'u' };
    expect(encodeTagged(value)).toStrictEqual({ $mt: 'O', v: { $mt: 'u' } });
    expect(roundTrip(value)).toStrictEqual({ $mt: 'u' });
  });

  it('escapes at every depth, including inside escaped objects and Map keys', () => {
    const value = { a: [{ $mt: 'O', v: { $mt: 'b', v: '1' } }], m: new Map([[{ $mt: 'x' }, { $mt: 'y' }]]) };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('does not escape objects that merely contain the text $mt', () => {
    expect(encodeTagged({ note: '$mt', list: ['$mt'] })).toStrictEqual({ note: '$mt', list: ['$mt'] });
  });
});

describe('round trip property', () => {
  const special = fc.constantFrom(
    undefined,
    Number.NaN,
    -0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
  );
  const bytes = fc.uint8Array({ maxLength: 24 });
  const typedArray = fc.oneof(
    fc.int8Array(),
    fc.uint8ClampedArray(),
    fc.int16Array(),
    fc.uint16Array(),
    fc.int32Array(),
    fc.uint32Array(),
    fc.float32Array(),
    fc.float64Array(),
    fc.bigInt64Array(),
    fc.bigUint64Array(),
    bytes,
  );
  const errorValue = fc
    .tuple(
      fc.constantFrom(Error, TypeError, RangeError, SyntaxError),
      fc.string(),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.bigInt(), fc.constant(null))),
    )
    // A `message` assigned afterwards stays the constructor's hidden property, and is stored as its string (see
    // 'stores a message that is not a string as its string'): here it is one.
    .map(([ErrorType, message, props]) =>
      Object.assign(new ErrorType(message), props, 'message' in props ? { message: String(props.message) } : {}),
    );
  const leaf = fc.oneof(
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ unit: 'binary' }),
    fc.constant(null),
    special,
    fc.bigInt(),
    fc.date(),
    fc.constantFrom(/a+/g, /^x$/imsuy, /\//, /(?:)/d),
    typedArray,
    bytes.map((array) => Buffer.from(array)),
    bytes.map((array) => array.slice().buffer),
    bytes.map((array) => new DataView(array.slice().buffer)),
    errorValue,
  );
  // No 'constructor' key here: toStrictEqual compares `a.constructor === b.constructor`, which an own object-valued
  // `constructor` key breaks. The prototype-safety tests cover that key.
  const key = fc.oneof(
    { weight: 5, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.constantFrom('$mt', 'v', '__proto__', 'prototype', 'toString', 'hasOwnProperty') },
  );
  const value = fc.anything({
    key,
    values: [leaf],
    maxDepth: 4,
    withMap: true,
    withSet: true,
    withBigInt: true,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: false,
    withBoxedValues: false,
  });

  it('decodeTagged(JSON text of encodeTagged(value)) equals value with the same types', () => {
    fc.assert(
      fc.property(value, (generated) => {
        expect(canEncodeTagged(generated)).toBe(true);
        const encoded = encodeTagged(generated);
        const text = JSON.stringify(encoded);
        expect(JSON.parse(text)).toStrictEqual(encoded); // the output is plain, lossless JSON
        expect(decodeTagged(JSON.parse(text))).toStrictEqual(generated);
      }),
      { numRuns: 3000 },
    );
  });
});
