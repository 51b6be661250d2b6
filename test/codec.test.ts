import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canEncodeTagged, decodeTagged, encodeTagged, type Json } from '../src/codec.js';
import { ResultEncodingError } from '../src/errors.js';

/** Encodes, goes through JSON text as the dump file, disk tier and Redis do, and decodes. */
function roundTrip(value: unknown): unknown {
  return decodeTagged(JSON.parse(JSON.stringify(encodeTagged(value))));
}

function encodingErrorOf(run: () => unknown): ResultEncodingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ResultEncodingError);
    return error as ResultEncodingError;
  }
  throw new Error('expected a ResultEncodingError, but nothing was thrown');
}

function bytesOf(view: ArrayBufferView): number[] {
  return [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)];
}

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

describe('errors', () => {
  it('decode to the built-in constructor of the same name', () => {
    for (const ErrorType of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
      const decoded = roundTrip(new ErrorType('message'));
      expect(decoded).toBeInstanceOf(ErrorType);
      expect(decoded).toStrictEqual(new ErrorType('message'));
    }
  });

  it('keeps the class of an error whose own `name` was reassigned, and that name', () => {
    const decoded = roundTrip(Object.assign(new SyntaxError(''), { name: 0 })) as SyntaxError;
    expect(decoded).toBeInstanceOf(SyntaxError);
    expect(decoded.name).toBe(0);
    const renamed = roundTrip(Object.assign(new TypeError('x'), { name: 'Custom' })) as TypeError;
    expect(renamed).toBeInstanceOf(TypeError);
    expect(renamed.name).toBe('Custom');
  });

  it('stores a message that is not a string as its string', () => {
    const decoded = roundTrip(Object.assign(new RangeError('original'), { message: 42 })) as RangeError;
    expect(decoded).toBeInstanceOf(RangeError);
    expect(decoded.message).toBe('42');
  });

  it('decode an error with a custom name to an Error with that name', () => {
    class HttpError extends Error {
      constructor(readonly status: number) {
        super(`HTTP ${status}`);
      }
    }
    HttpError.prototype.name = 'HttpError';
    const decoded = roundTrip(new HttpError(503)) as Error & { status: number };
    expect(decoded).toBeInstanceOf(Error);
    expect(decoded.name).toBe('HttpError');
    expect(decoded.message).toBe('HTTP 503');
    expect(decoded.status).toBe(503);
    expect(String(decoded)).toBe('HttpError: HTTP 503');
    expect(decoded.stack).toBe('HttpError: HTTP 503');
  });

  it('keep own enumerable primitive props and drop the stack and object-valued props', () => {
    const error = Object.assign(new Error('failed'), {
      code: 'ECONNRESET',
      errno: -104,
      retryable: false,
      missing: undefined,
      big: 1n,
      response: { body: () => 'x' },
      callback: () => {},
    });
    const encoded = encodeTagged(error);
    expect(JSON.stringify(encoded)).not.toContain('at ');
    const decoded = roundTrip(error) as Record<string, unknown>;
    expect({ ...decoded }).toStrictEqual({
      code: 'ECONNRESET',
      errno: -104,
      retryable: false,
      missing: undefined,
      big: 1n,
    });
    expect(decoded.stack).toBe('Error: failed');
  });

  it('keep an encodable cause and drop one that cannot be encoded', () => {
    const inner = new TypeError('inner');
    expect((roundTrip(new Error('outer', { cause: inner })) as Error).cause).toStrictEqual(inner);
    const dropped = roundTrip(new Error('outer', { cause: { handler() {} } })) as Error;
    expect(Object.hasOwn(dropped, 'cause')).toBe(false);
    const selfCaused = new Error('loop');
    selfCaused.cause = selfCaused;
    expect(canEncodeTagged(selfCaused)).toBe(true);
  });

  it('record a MemotapeError with its code and path', () => {
    const error = new ResultEncodingError('result.x', 'a function');
    const decoded = roundTrip(error) as ResultEncodingError;
    expect(decoded.name).toBe('ResultEncodingError');
    expect(decoded.code).toBe('ERR_MEMOTAPE_RESULT_ENCODING');
    expect(decoded.path).toBe('result.x');
    expect(decoded.message).toBe(error.message);
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

describe('prototype safety', () => {
  it('decodes a __proto__ key from JSON as plain data without polluting Object.prototype', () => {
    const decoded = decodeTagged(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toStrictEqual({ polluted: true });
    expect(decoded.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('keeps constructor and prototype keys as plain data', () => {
    const decoded = decodeTagged(
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}, "prototype": 1, "toString": "x"}'),
    ) as Record<string, unknown>;
    expect(Object.keys(decoded)).toStrictEqual(['constructor', 'prototype', 'toString']);
    expect(decoded.constructor).toStrictEqual({ prototype: { polluted: true } });
    expect(decoded.toString).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is safe inside escaped objects, Maps, Sets and error props', () => {
    const json = JSON.parse(
      `[
        {"$mt": "O", "v": {"$mt": 1, "__proto__": {"polluted": true}}},
        {"$mt": "M", "v": [[{"__proto__": {"polluted": true}}, {"__proto__": {"polluted": true}}]]},
        {"$mt": "S", "v": [{"__proto__": {"polluted": true}}]},
        {"$mt": "E", "v": {"n": "Error", "m": "x", "p": {"__proto__": {"polluted": true}}}}
      ]`,
    );
    const [escaped, map, set, error] = decodeTagged(json) as [object, Map<object, object>, Set<object>, Error];
    for (const object of [escaped, ...map.keys(), ...map.values(), ...set]) {
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.hasOwn(object, '__proto__')).toBe(true);
    }
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype);
    expect(Object.hasOwn(error, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips an own __proto__ key through encodeTagged and JSON text', () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') as object;
    const encoded = encodeTagged(value);
    expect(JSON.stringify(encoded)).toBe('{"__proto__":{"x":1},"constructor":2}');
    expect(roundTrip(value)).toStrictEqual(value);
  });
});

describe('unencodable values', () => {
  class Foo {
    x = 1;
  }
  class SpecialMap extends Map {}
  const circular: Record<string, unknown> = { name: 'root' };
  circular.self = circular;
  const circularArray: unknown[] = [];
  circularArray.push({ back: circularArray });
  const symbolKeyed = { meta: { [Symbol('secret')]: 1, visible: 2 } };

  const cases: [string, unknown, string, string][] = [
    ['a function in a nested array', { items: [1, 2, { handler() {} }] }, 'result.items[2].handler', 'a function'],
    ['a top-level function', () => {}, 'result', 'a function'],
    ['a symbol', { s: Symbol('s') }, 'result.s', 'a symbol'],
    ['a WeakMap', { cache: new WeakMap() }, 'result.cache', 'WeakMap'],
    ['a WeakSet', [new WeakSet()], 'result[0]', 'WeakSet'],
    ['a WeakRef', { ref: new WeakRef({}) }, 'result.ref', 'WeakRef'],
    ['a Promise', { pending: Promise.resolve(1) }, 'result.pending', 'a promise'],
    ['a class instance', { foo: new Foo() }, 'result.foo', 'an instance of Foo'],
    ['an anonymous class instance', { x: new (class {})() }, 'result.x', 'an object with a custom prototype'],
    ['a subclass of a built-in', { m: new SpecialMap() }, 'result.m', 'an instance of SpecialMap'],
    ['a circular object', circular, 'result.self', 'a circular reference'],
    ['a circular array', { list: circularArray }, 'result.list[0].back', 'a circular reference'],
    ['an enumerable symbol key', symbolKeyed, 'result.meta[Symbol(secret)]', 'symbol-keyed'],
    ['a key that is not an identifier', { 'odd key': { fn: Math.max } }, 'result["odd key"].fn', 'a function (max)'],
    ['a Map value', { lookup: new Map([['k', () => {}]]) }, 'result.lookup.get("k")', 'a function'],
    ['a Map value under a number key', new Map([[-0, [Symbol()]]]), 'result.get(0)[0]', 'a symbol'],
    [
      'a Map key',
      {
        lookup: new Map<unknown, number>([
          [1, 1],
          [() => {}, 2],
        ]),
      },
      'result.lookup.keys()[1]',
      'a function',
    ],
    ['a Set member', { tags: new Set(['a', Symbol('b')]) }, 'result.tags.values()[1]', 'a symbol'],
  ];

  it.each(cases)('rejects %s with a ResultEncodingError naming its path', (_name, value, path, reason) => {
    const error = encodingErrorOf(() => encodeTagged(value));
    expect(error.code).toBe('ERR_MEMOTAPE_RESULT_ENCODING');
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain(reason);
    expect(canEncodeTagged(value)).toBe(false);
  });

  it('starts paths at the given root', () => {
    expect(encodingErrorOf(() => encodeTagged({ args: [1, () => {}] }, 'params')).path).toBe('params.args[1]');
  });

  it('ignores non-enumerable symbol keys', () => {
    const value = { a: 1 };
    Object.defineProperty(value, Symbol('hidden'), { value: 1, enumerable: false });
    expect(roundTrip(value)).toStrictEqual({ a: 1 });
  });

  it('lets canEncodeTagged return false instead of throwing when a getter throws', () => {
    const value = {
      get broken(): never {
        throw new Error('getter failed');
      },
    };
    expect(canEncodeTagged(value)).toBe(false);
    expect(() => encodeTagged(value)).toThrow('getter failed');
  });

  it('accepts every tagged type in canEncodeTagged', () => {
    expect(canEncodeTagged({ d: new Date(), m: new Map([[1n, new Set([Buffer.alloc(1)])]]), e: new Error('x') })).toBe(
      true,
    );
  });
});

describe('malformed tagged JSON', () => {
  const cases: [string, unknown, string, string][] = [
    ['an unknown tag', { a: { b: { $mt: 'Nope', v: 1 } } }, 'json.a.b', 'unknown tag "Nope"'],
    ['a non-string tag', [{ $mt: 1, v: 1 }], 'json[0]', 'not a string'],
    ['an extra key beside $mt and v', { x: { $mt: 'u', w: 1 } }, 'json.x', 'unexpected key "w"'],
    ['a bad number payload', { $mt: 'n', v: 'nan' }, 'json', 'malformed "n" tag'],
    ['a bad bigint payload', { $mt: 'b', v: '0x10' }, 'json', 'malformed "b" tag'],
    ['a bad Date payload', { $mt: 'D', v: '2020-01-01' }, 'json', 'malformed "D" tag'],
    ['a bad RegExp payload', { $mt: 'R', v: ['a', 'zz'] }, 'json', 'malformed "R" tag'],
    ['a Map entry that is not a pair', { m: { $mt: 'M', v: [[1, 2], [3]] } }, 'json.m', 'entry 1'],
    ['a bad tag inside a Map value', { $mt: 'M', v: [[1, { a: { $mt: '?' } }]] }, 'json.v[0][1].a', 'unknown tag'],
    ['a bad tag inside a Map key', { $mt: 'M', v: [[{ $mt: '?' }, 1]] }, 'json.v[0][0]', 'unknown tag'],
    ['a bad tag inside a Set', { $mt: 'S', v: [1, { $mt: 'D' }] }, 'json.v[1]', 'malformed "D" tag'],
    ['a non-array Set payload', { $mt: 'S', v: {} }, 'json', 'malformed "S" tag'],
    ['a bad base64 payload', { $mt: 'B', v: 'not base64!' }, 'json', 'base64'],
    ['an unknown typed array type', { $mt: 'T', v: ['Function', ''] }, 'json', 'unknown typed array type'],
    ['a typed array with a partial element', { $mt: 'T', v: ['Int32Array', 'AQI='] }, 'json', '2 bytes'],
    ['a hole outside an array', { a: { $mt: 'h', v: 1 } }, 'json.a', 'outside an array'],
    ['a hole run that is not a positive integer', [{ $mt: 'h', v: 0 }], 'json[0]', 'positive integer'],
    ['a bad Error payload', { $mt: 'E', v: { n: 'Error' } }, 'json', 'malformed "E" tag'],
    ['a bad tag inside Error props', { $mt: 'E', v: { n: 'E', m: '', p: { c: { $mt: '?' } } } }, 'json.v.p.c', 'tag'],
    ['a non-object escape payload', { $mt: 'O', v: [1] }, 'json', 'malformed "O" tag'],
    ['a bad tag inside an escaped object', { $mt: 'O', v: { $mt: 1, 'a b': { $mt: 'z' } } }, 'json.v["a b"]', 'tag'],
    ['a value that is not JSON', { when: new Date(0) }, 'json.when', 'not JSON data'],
    ['undefined', undefined, 'json', 'not JSON data'],
  ];

  it.each(cases)('rejects %s with a ResultEncodingError naming its path', (_name, json, path, reason) => {
    const error = encodingErrorOf(() => decodeTagged(json));
    expect(error.code).toBe('ERR_MEMOTAPE_RESULT_ENCODING');
    expect(error.path).toBe(path);
    expect(error.message).toContain(reason);
    expect(error.message).toContain(`Cannot read the stored value at ${path}`);
    expect(error.message).not.toContain('resultEncoder');
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
