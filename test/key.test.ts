import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { KeyEncodingError, MemotapeError } from '../src/errors.js';
import {
  canonicalFromMemoryKey,
  canonicalize,
  canonicalizeArgs,
  isPersistedKey,
  memoryKeyForArgs,
  persistedKey,
} from '../src/key.js';

// ---------------------------------------------------------------------------------------------------------------------
// Reference model: an independent deep equality with the semantics the encoding promises (-0 differs from 0, NaN equals
// NaN, a hole differs from undefined, property and insertion order never matter, null-prototype objects equal plain
// objects, typed arrays compare by type and bytes).
// ---------------------------------------------------------------------------------------------------------------------

type Kind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'undefined'
  | 'bigint'
  | 'null'
  | 'array'
  | 'object'
  | 'date'
  | 'regexp'
  | 'map'
  | 'set'
  | 'buffer'
  | 'dataview'
  | 'arraybuffer'
  | `typed:${string}`;

function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint') {
    return type;
  }
  if (Array.isArray(value)) return 'array';
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return 'object';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regexp';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (Buffer.isBuffer(value)) return 'buffer';
  if (value instanceof DataView) return 'dataview';
  if (ArrayBuffer.isView(value)) return `typed:${value.constructor.name}`;
  if (value instanceof ArrayBuffer) return 'arraybuffer';
  throw new Error(`the reference model does not support ${String(value)}`);
}

function bytesOf(value: ArrayBufferView | ArrayBuffer): Buffer {
  return value instanceof ArrayBuffer
    ? Buffer.from(value)
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Multiset equality under an equivalence relation (greedy matching is exact for equivalences). */
function sameMultiset<T>(left: T[], right: T[], equal: (a: T, b: T) => boolean): boolean {
  if (left.length !== right.length) return false;
  const used = new Array<boolean>(right.length).fill(false);
  return left.every((item) => {
    const index = right.findIndex((candidate, position) => !used[position] && equal(item, candidate));
    if (index < 0) return false;
    used[index] = true;
    return true;
  });
}

function same(a: unknown, b: unknown): boolean {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  switch (kind) {
    case 'number':
      return Object.is(a, b);
    case 'array': {
      const left = a as unknown[];
      const right = b as unknown[];
      if (left.length !== right.length) return false;
      for (let index = 0; index < left.length; index++) {
        if (index in left !== index in right) return false;
        if (index in left && !same(left[index], right[index])) return false;
      }
      return true;
    }
    case 'object': {
      const leftKeys = Object.keys(a as object).sort();
      const rightKeys = Object.keys(b as object).sort();
      return (
        leftKeys.length === rightKeys.length &&
        leftKeys.every(
          (key, index) =>
            key === rightKeys[index] && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
        )
      );
    }
    case 'date':
      return Object.is((a as Date).getTime(), (b as Date).getTime());
    case 'regexp':
      return (a as RegExp).source === (b as RegExp).source && (a as RegExp).flags === (b as RegExp).flags;
    case 'map':
      return sameMultiset(
        [...(a as Map<unknown, unknown>)],
        [...(b as Map<unknown, unknown>)],
        ([k1, v1], [k2, v2]) => same(k1, k2) && same(v1, v2),
      );
    case 'set':
      return sameMultiset([...(a as Set<unknown>)], [...(b as Set<unknown>)], same);
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'bigint':
    case 'null':
      return a === b;
    default:
      return bytesOf(a as ArrayBufferView).equals(bytesOf(b as ArrayBufferView));
  }
}

/** A structural description of a value that records everything encoding could conceivably change in place. */
function snapshot(value: unknown): unknown {
  const kind = kindOf(value);
  switch (kind) {
    case 'number':
      return Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value;
    case 'bigint':
      return `${value}n`;
    case 'array': {
      const array = value as unknown[];
      return {
        array: Array.from({ length: array.length }, (_, index) => (index in array ? snapshot(array[index]) : '<hole>')),
        keys: Object.keys(array),
      };
    }
    case 'object':
      return {
        prototype: Object.getPrototypeOf(value) === null ? 'null' : 'Object',
        entries: Object.keys(value as object).map((key) => [key, snapshot((value as Record<string, unknown>)[key])]),
      };
    case 'date':
      return { date: String((value as Date).getTime()) };
    case 'regexp':
      return { regexp: String(value), lastIndex: (value as RegExp).lastIndex };
    case 'map':
      return { map: [...(value as Map<unknown, unknown>)].map(([key, member]) => [snapshot(key), snapshot(member)]) };
    case 'set':
      return { set: [...(value as Set<unknown>)].map(snapshot) };
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'null':
      return { [kind]: value };
    default: {
      const view = value as ArrayBufferView;
      return {
        [kind]: bytesOf(view).toString('hex'),
        offset: view instanceof ArrayBuffer ? 0 : view.byteOffset,
      };
    }
  }
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let index = out.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

/** Copies `bytes` into a fresh buffer at a random aligned offset, so clones never share memory or offsets. */
function relocated(bytes: Buffer, align: number, random: () => number): { buffer: ArrayBuffer; offset: number } {
  const offset = align * Math.floor(random() * 3);
  const buffer = new ArrayBuffer(offset + bytes.length + align);
  new Uint8Array(buffer).set(bytes, offset);
  return { buffer, offset };
}

/**
 * A deep clone that is equal under the reference model but built differently: properties, Map entries and Set members
 * are inserted in a shuffled order, objects randomly switch between plain and null prototypes, binary data moves to
 * other offsets, RegExp lastIndex changes.
 */
function reshuffle(value: unknown, random: () => number): unknown {
  const kind = kindOf(value);
  switch (kind) {
    case 'array': {
      const array = value as unknown[];
      const out = new Array<unknown>(array.length);
      const indexes = Object.keys(array).map(Number);
      for (const index of shuffled(indexes, random)) out[index] = reshuffle(array[index], random);
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = random() < 0.5 ? Object.create(null) : {};
      for (const key of shuffled(Object.keys(value as object), random)) {
        Object.defineProperty(out, key, {
          value: reshuffle((value as Record<string, unknown>)[key], random),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'date':
      return new Date((value as Date).getTime());
    case 'regexp': {
      const out = new RegExp((value as RegExp).source, (value as RegExp).flags);
      out.lastIndex = Math.floor(random() * 5);
      return out;
    }
    case 'map':
      return new Map(
        shuffled([...(value as Map<unknown, unknown>)], random).map(([key, member]) => [
          reshuffle(key, random),
          reshuffle(member, random),
        ]),
      );
    case 'set':
      return new Set(shuffled([...(value as Set<unknown>)], random).map((member) => reshuffle(member, random)));
    case 'buffer':
      return Buffer.from(bytesOf(value as Buffer));
    case 'arraybuffer':
      return (value as ArrayBuffer).slice(0);
    case 'dataview': {
      const bytes = bytesOf(value as DataView);
      const { buffer, offset } = relocated(bytes, 1, random);
      return new DataView(buffer, offset, bytes.length);
    }
    default: {
      if (!kind.startsWith('typed:')) return value;
      const view = value as unknown as ArrayLike<unknown> & ArrayBufferView & { BYTES_PER_ELEMENT: number };
      const Constructor = view.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => unknown;
      const { buffer, offset } = relocated(bytesOf(view), view.BYTES_PER_ELEMENT, random);
      return new Constructor(buffer, offset, view.length);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    if (value instanceof Map) {
      for (const [key, member] of value) {
        deepFreeze(key);
        deepFreeze(member);
      }
    } else if (value instanceof Set) {
      for (const member of value) deepFreeze(member);
    } else {
      for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    }
    Object.freeze(value);
  }
  return value;
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function expectKeyEncodingError(run: () => unknown, path: string, reason?: RegExp): KeyEncodingError {
  const error = catchError(run);
  expect(error).toBeInstanceOf(KeyEncodingError);
  expect(error).toBeInstanceOf(MemotapeError);
  const keyError = error as KeyEncodingError;
  expect(keyError.name).toBe('KeyEncodingError');
  expect(keyError.code).toBe('ERR_MEMOTAPE_KEY_ENCODING');
  expect(keyError.path).toBe(path);
  expect(keyError.message).toContain(path);
  expect(keyError.message).toContain('paramsEncoder');
  if (reason) expect(keyError.message).toMatch(reason);
  return keyError;
}

// ---------------------------------------------------------------------------------------------------------------------
// Arbitraries restricted to the supported types.
// ---------------------------------------------------------------------------------------------------------------------

/** Characters of the grammar and of encodings, so generated strings look like (parts of) encodings. */
const trickyChar = fc.constantFrom(
  ',',
  ':',
  ']',
  '[',
  '}',
  '{',
  '=',
  '>',
  '=>',
  '|',
  '/',
  's',
  'n',
  'u',
  'h',
  'z',
  'b',
  'M',
  'S',
  '0',
  '1',
  '4',
  '-',
  'a',
  '\u0001',
  '\uD800',
  '\uDC00',
  '\uFFFD',
  '😀',
);
const stringArb = fc.oneof(
  fc.string({ unit: trickyChar, maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', 's1:a', 'n1', 'u', 'h', 'z', '{s4:args:[n1]}', 'a=>b', 'args'),
);
const numberArb = fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, -0, Number.NaN, 1e21));
const primitiveArb = fc.oneof(
  stringArb,
  numberArb,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
);
const bytesArb = fc.uint8Array({ maxLength: 8 });
const typedArrayArb = fc.oneof(
  fc.int8Array({ maxLength: 3 }),
  fc.uint8Array({ maxLength: 3 }),
  fc.uint8ClampedArray({ maxLength: 3 }),
  fc.int16Array({ maxLength: 3 }),
  fc.uint16Array({ maxLength: 3 }),
  fc.int32Array({ maxLength: 3 }),
  fc.uint32Array({ maxLength: 3 }),
  fc.float32Array({ maxLength: 3 }),
  fc.float64Array({ maxLength: 3 }),
  fc.bigInt64Array({ maxLength: 3 }),
  fc.bigUint64Array({ maxLength: 3 }),
  // Views of the same bytes through different types.
  fc
    .tuple(
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.constantFrom(Uint8Array, Int8Array, Uint32Array, Float64Array),
    )
    .map(([bytes, Type]) => new Type(bytes.slice().buffer)),
);
const regExpArb = fc
  .tuple(
    fc.constantFrom('a', 'a|b', '[,:\\]}]', '\\d+', '=>', 's1:a', '', '\\/'),
    fc.subarray(['d', 'g', 'i', 'm', 's', 'u', 'y']),
  )
  .map(([source, flags]) => new RegExp(source, flags.join('')));

function binaryArb(withBuffers: boolean): fc.Arbitrary<unknown> {
  const arbitraries: fc.Arbitrary<unknown>[] = [
    typedArrayArb,
    bytesArb.map((bytes) => bytes.slice().buffer),
    bytesArb.map((bytes) => new DataView(new Uint8Array([7, ...bytes, 7]).buffer, 1, bytes.length)),
  ];
  if (withBuffers) arbitraries.push(bytesArb.map((bytes) => Buffer.from(bytes)));
  return fc.oneof(...arbitraries);
}

/** Any supported value. `withBuffers: false` leaves out Buffer, which structuredClone turns into a Uint8Array. */
function valueArb({ withBuffers = true } = {}): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: primitiveArb },
    fc.date({ noInvalidDate: false }),
    regExpArb,
    binaryArb(withBuffers),
  );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.sparseArray(tie('value'), { maxLength: 5 }),
      fc.dictionary(stringArb, tie('value'), { maxKeys: 4 }),
      fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
      fc.array(tie('value'), { maxLength: 3 }).map((members) => new Set(members)),
    ),
  })).value;
}

/** A small domain in which generated pairs are often equal or nearly equal, to probe injectivity at close range. */
const closeValueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(0, -0, Number.NaN, 1, '1', '', 's1:a', ',', null, undefined, 1n, true, false),
    fc
      .constantFrom(
        () => new Date(0),
        () => new Date(1),
        () => new Date(Number.NaN),
        () => /a/,
        () => /a/g,
        () => new Uint8Array([1]),
        () => new Int8Array([1]),
        () => new Uint8ClampedArray([1]),
        () => Buffer.from([1]),
        () => new Uint8Array([1]).buffer,
        () => new DataView(new Uint8Array([1]).buffer),
        () => new Uint8Array([]),
      )
      .map((make) => make()),
    fc.array(tie('value'), { maxLength: 2 }),
    fc.sparseArray(tie('value'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b', '1', ','), tie('value'), { maxKeys: 2 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 2 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 2 }).map((members) => new Set(members)),
  ),
})).value;

const argsArb = fc.oneof(
  fc.array(valueArb(), { maxLength: 3 }),
  primitiveArb.map((value) => [value]),
  stringArb.map((value) => [value]),
);

// ---------------------------------------------------------------------------------------------------------------------

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
