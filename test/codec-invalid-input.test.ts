import { describe, expect, it } from 'vitest';
import { canEncodeTagged, decodeTagged, encodeTagged } from '../src/codec.js';
import { encodingErrorOf, roundTrip } from './helpers/codec-round-trip.js';

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
