import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { KeyEncodingError } from './errors.js';

/*
 * The canonical encoding is a compact string grammar, injective over the values it accepts. The first character of
 * every encoded value names its type, strings carry their length (so no escaping is needed), and the members of
 * objects, Maps and Sets are sorted by their own encoding, so property and insertion order never change a key.
 *
 *   u undefined   z null   t / f booleans   n<number> (n-0 for negative zero)   b<bigint>   s<length>:<text>
 *   [..,..] arrays (h = hole)   {key:value,..} plain and null-prototype objects   D<time> Date   R<source>/<flags>
 *   M{k=>v,..} Map   S{v,..} Set   B<base64> Buffer   T<Type>:<base64> typed arrays   A<base64> ArrayBuffer
 *   V<base64> DataView
 */

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'symbol') return `a symbol (${String(value.description)})`;
  const constructorName = (value as object).constructor?.name;
  return constructorName ? `an instance of ${constructorName}` : 'an object with a custom prototype';
}

function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function encodeString(text: string): string {
  return `s${text.length}:${text}`;
}

function encodeNumber(value: number): string {
  return value === 0 && 1 / value < 0 ? 'n-0' : `n${value}`;
}

function bytesToBase64(view: ArrayBufferView | ArrayBuffer): string {
  const bytes =
    view instanceof ArrayBuffer ? Buffer.from(view) : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return bytes.toString('base64');
}

const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

function encodeValue(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'bigint':
      return `b${value}`;
    case 'function':
    case 'symbol':
      throw new KeyEncodingError(path, describe(value));
  }
  if (value === null) return 'z';
  const object = value as object;
  if (ancestors.has(object)) throw new KeyEncodingError(path, 'a circular reference');
  ancestors.add(object);
  try {
    return encodeObject(object, path, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function encodeObject(object: object, path: string, ancestors: Set<object>): string {
  const prototype = Object.getPrototypeOf(object);
  if (Array.isArray(object)) {
    if (prototype !== arrayPrototype) throw new KeyEncodingError(path, describe(object));
    let out = '[';
    for (let index = 0; index < object.length; index++) {
      if (index > 0) out += ',';
      out += index in object ? encodeValue(object[index], `${path}[${index}]`, ancestors) : 'h';
    }
    return `${out}]`;
  }
  if (prototype === objectPrototype || prototype === null) return encodePlainObject(object, path, ancestors);
  // Built-ins are matched by exact prototype: a subclass instance (with its own class and fields) is not a Map, Date...
  if (prototype === Date.prototype) return `D${(object as Date).getTime()}`;
  if (prototype === RegExp.prototype) return `R${encodeString((object as RegExp).source)}/${(object as RegExp).flags}`;
  if (prototype === Map.prototype) {
    const members: string[] = [];
    for (const [key, member] of object as Map<unknown, unknown>) {
      const encodedKey = encodeValue(key, `${path}.keys()`, ancestors);
      members.push(`${encodedKey}=>${encodeValue(member, `${path}.get(${encodedKey})`, ancestors)}`);
    }
    return `M{${members.sort().join(',')}}`;
  }
  if (prototype === Set.prototype) {
    const members: string[] = [];
    for (const member of object as Set<unknown>) members.push(encodeValue(member, `${path}.values()`, ancestors));
    return `S{${members.sort().join(',')}}`;
  }
  if (prototype === Buffer.prototype) return `B${bytesToBase64(object as Buffer)}`;
  if (prototype === DataView.prototype) return `V${bytesToBase64(object as DataView)}`;
  // The prototype of every built-in typed array (Uint8Array, Float64Array...) inherits directly from %TypedArray%.
  if (ArrayBuffer.isView(object) && Object.getPrototypeOf(prototype) === typedArrayPrototype) {
    return `T${(prototype as { constructor: { name: string } }).constructor.name}:${bytesToBase64(object)}`;
  }
  if (prototype === ArrayBuffer.prototype) return `A${bytesToBase64(object as ArrayBuffer)}`;
  if (object instanceof Promise) throw new KeyEncodingError(path, 'a promise');
  if (object instanceof WeakMap || object instanceof WeakSet || object instanceof WeakRef) {
    throw new KeyEncodingError(path, `a ${object.constructor.name}, whose contents cannot be read`);
  }
  throw new KeyEncodingError(path, describe(object));
}

function encodePlainObject(object: object, path: string, ancestors: Set<object>): string {
  if (
    Object.getOwnPropertySymbols(object).some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))
  ) {
    throw new KeyEncodingError(path, 'an object with symbol keys');
  }
  const keys = Object.keys(object).sort();
  let out = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (index > 0) out += ',';
    out += `${encodeString(key)}:${encodeValue((object as Record<string, unknown>)[key], childPath(path, key), ancestors)}`;
  }
  return `${out}}`;
}

/**
 * The canonical encoding of any accepted value: equal values (whatever their property or insertion order) give
 * equal strings, different values give different strings. Throws {@link KeyEncodingError} naming `path` for values
 * it cannot encode faithfully.
 */
export function canonicalize(value: unknown, path = 'params'): string {
  return encodeValue(value, path, new Set());
}

const ARGS_PREFIX = `{${encodeString('args')}:[`;

/** The canonical encoding of the default params `{ args }`, without building the object. Paths read `args[i]...`. */
export function canonicalizeArgs(args: readonly unknown[]): string {
  let out = ARGS_PREFIX;
  const ancestors = new Set<object>();
  for (let index = 0; index < args.length; index++) {
    if (index > 0) out += ',';
    const value = args[index];
    // Primitives are inlined: this function runs on every call of a multi-argument memoized function.
    switch (typeof value) {
      case 'string':
        out += `s${value.length}:${value}`;
        break;
      case 'number':
        out += value === 0 && 1 / value < 0 ? 'n-0' : `n${value}`;
        break;
      case 'boolean':
        out += value ? 't' : 'f';
        break;
      default:
        out += encodeValue(value, `args[${index}]`, ancestors);
    }
  }
  return `${out}]}`;
}

/**
 * A string that starts no canonical encoding, so a single string argument can be its own in-memory key without
 * colliding with the encoding of any other call.
 */
const RAW_STRING_MARK = '\u0001';

/**
 * The in-memory key of a call with the default params encoder. A single number, boolean, bigint, null or undefined
 * argument is its own key (no string is built); strings get a one-character mark; anything else is canonicalized.
 * Map keys compare with SameValueZero, so `-0` (equal to `0` there) takes the canonical path.
 */
export function memoryKeyForArgs(args: readonly unknown[]): unknown {
  if (args.length === 1) {
    const value = args[0];
    switch (typeof value) {
      case 'number':
        if (value !== 0 || 1 / value > 0) return value;
        break;
      case 'string':
        return RAW_STRING_MARK + value;
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return value;
      case 'object':
        if (value === null) return null;
    }
  }
  return canonicalizeArgs(args);
}

/** Turns an in-memory key back into the canonical params string (for hashing when an entry is persisted). */
export function canonicalFromMemoryKey(memoryKey: unknown): string {
  if (typeof memoryKey === 'string') {
    return memoryKey.startsWith(RAW_STRING_MARK) ? canonicalizeArgs([memoryKey.slice(1)]) : memoryKey;
  }
  return canonicalizeArgs([memoryKey]);
}

type HashFunction = (algorithm: string, data: string, outputEncoding: 'buffer') => Buffer;
const oneShotHash = (crypto as { hash?: HashFunction }).hash;

// crypto.hash (Node >= 20.12) is 2-3x faster than createHash for short inputs; the fallback keeps older 20.x working.
const sha256 = (text: string): Buffer =>
  oneShotHash ? oneShotHash('sha256', text, 'buffer') : createHash('sha256').update(text).digest();

const loneSurrogate = /\p{Cs}/u;

/**
 * The persisted key of a call: the first 32 lowercase hex characters of a SHA-256 over the canonical encoding of the
 * namespace and the canonical params. Identical in every process.
 *
 * @example
 * ```ts
 * persistedKey('fetchUser', canonicalizeArgs([42])); // '3f1c...' (32 hex characters)
 * ```
 */
export function persistedKey(namespace: string, canonicalParams: string): string {
  const text = `${encodeString(namespace)}|${canonicalParams}`;
  // UTF-8 turns every lone surrogate into U+FFFD, so strings differing only there would share a key. Such (rare) text
  // is hashed as UTF-16 behind a 'w' byte, which no UTF-8 input (whose first byte is always 's') starts with.
  const digest = loneSurrogate.test(text)
    ? createHash('sha256').update('w').update(text, 'utf16le').digest()
    : sha256(text);
  // Hex-encoding only 16 bytes gives a flat 32-character string; slicing a 64-character digest would keep it alive.
  return digest.toString('hex', 0, 16);
}

/** Whether a string looks like a persisted key (32 lowercase hex characters). */
export function isPersistedKey(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}
