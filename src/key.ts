import { createHash } from 'node:crypto';
import { KeyEncodingError } from './errors.js';
import { sha256Hex } from './internal/sha256.js';

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

/** The deepest nesting of objects and arrays a key encodes. */
const MAX_KEY_DEPTH = 1000;

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
  // Deeper than this, the recursion would end in a stack overflow (a RangeError that names nothing) long before a key.
  if (ancestors.size >= MAX_KEY_DEPTH)
    throw new KeyEncodingError(path, `nested more than ${MAX_KEY_DEPTH} levels deep`);
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
  const keys = sortKeys(Object.keys(object));
  let out = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (index > 0) out += ',';
    out += `${encodeString(key)}:${encodeValue((object as Record<string, unknown>)[key], childPath(path, key), ancestors)}`;
  }
  return `${out}}`;
}

/**
 * Sorts property names in place by UTF-16 code units, as `Array.prototype.sort` does. Names are unique, so an
 * insertion sort gives the same order, and for the few names of a typical argument it is several times faster.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 12) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let position = index - 1;
    while (position >= 0 && keys[position]! > key) {
      keys[position + 1] = keys[position]!;
      position--;
    }
    keys[position + 1] = key;
  }
  return keys;
}

/*
 * The fast encoder gives the same strings as encodeValue for primitives, plain objects, arrays and Dates, without
 * building a path per property or tracking ancestors in a Set: keys are built on every memoized call, and that
 * bookkeeping (only needed for error messages and cycles) cost more than the encoding itself. It answers undefined
 * for anything else (unsupported values, other built-ins, symbol keys, or nesting deeper than MAX_FAST_DEPTH, which
 * is how a cycle shows up), and the caller then re-encodes the whole value with encodeValue, which gives the same
 * string or throws the KeyEncodingError naming the path.
 */
const MAX_FAST_DEPTH = 64;

/** `s<length>:` for short strings, so encoding one costs a single concatenation. */
const STRING_PREFIXES = Array.from({ length: 64 }, (_, length) => `s${length}:`);

/**
 * `s<length>:<name>:` per property name. Objects passed as arguments reuse a few names, and building the prefix
 * (a number to format, three concatenations) was the largest cost of encoding them. Bounded: past the limit, new
 * names are encoded without being cached.
 */
const propertyPrefixes = new Map<string, string>();
const PROPERTY_PREFIX_LIMIT = 4096;

/** `s<length>:<name>:`, the start of a property's encoding in an object (exported for key-object-cache.ts). */
export function propertyPrefix(name: string): string {
  let prefix = propertyPrefixes.get(name);
  if (prefix === undefined) {
    prefix = `s${name.length}:${name}:`;
    if (propertyPrefixes.size < PROPERTY_PREFIX_LIMIT) propertyPrefixes.set(name, prefix);
  }
  return prefix;
}

/**
 * The canonical encoding of `value` at nesting `depth`, or undefined when the careful encoder must decide (exported
 * for key-object-cache.ts, which builds the same strings).
 */
export function encodeFast(value: unknown, depth: number): string | undefined {
  // An if-chain on `typeof` compiles to direct type checks; a switch on it measured slower.
  const type = typeof value;
  if (type === 'string') {
    const text = value as string;
    return text.length < 64 ? STRING_PREFIXES[text.length] + text : `s${text.length}:${text}`;
  }
  if (type === 'number') return value === 0 && 1 / (value as number) < 0 ? 'n-0' : `n${value as number}`;
  if (type === 'boolean') return value ? 't' : 'f';
  if (type === 'object') {
    if (value === null) return 'z';
    return depth < MAX_FAST_DEPTH ? encodeObjectFast(value as object, depth + 1) : undefined;
  }
  if (type === 'undefined') return 'u';
  if (type === 'bigint') return `b${value as bigint}`;
  return undefined;
}

function encodeObjectFast(object: object, depth: number): string | undefined {
  const prototype = Object.getPrototypeOf(object);
  if (Array.isArray(object)) {
    if (prototype !== arrayPrototype) return undefined;
    let out = '[';
    for (let index = 0; index < object.length; index++) {
      const encoded = index in object ? encodeFast(object[index], depth) : 'h';
      if (encoded === undefined) return undefined;
      out += index > 0 ? `,${encoded}` : encoded;
    }
    return `${out}]`;
  }
  if (prototype === objectPrototype || prototype === null) {
    if (Object.getOwnPropertySymbols(object).length > 0) return undefined;
    const keys = sortKeys(Object.keys(object));
    let out = '{';
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const encoded = encodeFast((object as Record<string, unknown>)[key], depth);
      if (encoded === undefined) return undefined;
      out += index > 0 ? `,${propertyPrefix(key)}${encoded}` : propertyPrefix(key) + encoded;
    }
    return `${out}}`;
  }
  if (prototype === Date.prototype) return `D${(object as Date).getTime()}`;
  return undefined;
}

/**
 * The canonical encoding of any accepted value: equal values (whatever their property or insertion order) give
 * equal strings, different values give different strings. Throws {@link KeyEncodingError} naming `path` for values
 * it cannot encode faithfully.
 */
export function canonicalize(value: unknown, path = 'params'): string {
  return encodeFast(value, 0) ?? encodeValue(value, path, new Set());
}

/** The start of the canonical encoding of `{ args }`, up to its first argument. */
export const ARGS_PREFIX = `{${encodeString('args')}:[`;

/** The canonical encoding of the default params `{ args }`, without building the object. Paths read `args[i]...`. */
export function canonicalizeArgs(args: readonly unknown[]): string {
  let out = ARGS_PREFIX;
  for (let index = 0; index < args.length; index++) {
    const encoded = encodeFast(args[index], 0);
    if (encoded === undefined) return canonicalizeArgsChecked(args);
    out += index > 0 ? `,${encoded}` : encoded;
  }
  return `${out}]}`;
}

/**
 * {@link canonicalizeArgs} for a call of `count` (at most 3) arguments passed one by one, so a memoized call need
 * not collect them in an array first.
 */
export function canonicalizeArgList(count: number, first: unknown, second: unknown, third: unknown): string {
  const a = count > 0 ? encodeFast(first, 0) : '';
  const b = count > 1 ? encodeFast(second, 0) : '';
  const c = count > 2 ? encodeFast(third, 0) : '';
  if (a === undefined || b === undefined || c === undefined) {
    return canonicalizeArgsChecked([first, second, third].slice(0, count));
  }
  if (count === 3) return `${ARGS_PREFIX}${a},${b},${c}]}`;
  if (count === 2) return `${ARGS_PREFIX}${a},${b}]}`;
  return `${ARGS_PREFIX}${a}]}`;
}

/** The careful encoding of `{ args }`: same string, or the KeyEncodingError naming `args[i]...`. */
function canonicalizeArgsChecked(args: readonly unknown[]): string {
  let out = ARGS_PREFIX;
  const ancestors = new Set<object>();
  for (let index = 0; index < args.length; index++) {
    if (index > 0) out += ',';
    out += encodeValue(args[index], `args[${index}]`, ancestors);
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
  return args.length === 1 ? memoryKeyForArgument(args[0]) : canonicalizeArgs(args);
}

/** {@link memoryKeyForArgs} of a call with the single argument `value`. */
export function memoryKeyForArgument(value: unknown): unknown {
  // An if-chain on `typeof` compiles to direct type checks; a switch on it measured ~40% slower on the hit path.
  const type = typeof value;
  if (type === 'number') {
    if (value !== 0 || 1 / (value as number) > 0) return value;
  } else if (type === 'string') {
    return RAW_STRING_MARK + (value as string);
  } else if (type === 'boolean' || type === 'bigint' || type === 'undefined' || value === null) {
    return value;
  }
  return canonicalizeArgList(1, value, undefined, undefined);
}

/** Turns an in-memory key back into the canonical params string (for hashing when an entry is persisted). */
export function canonicalFromMemoryKey(memoryKey: unknown): string {
  if (typeof memoryKey === 'string') {
    return memoryKey.startsWith(RAW_STRING_MARK) ? canonicalizeArgs([memoryKey.slice(1)]) : memoryKey;
  }
  return canonicalizeArgs([memoryKey]);
}

// The 32-character slice of the digest keeps its 64-character parent alive, which only matters for the few keys held
// long (invalidation sets), not for memory entries, which hold no persisted key.
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
    ? createHash('sha256').update('w').update(text, 'utf16le').digest('hex')
    : sha256Hex(text);
  return digest.slice(0, 32);
}

/** Whether a string looks like a persisted key (32 lowercase hex characters). */
export function isPersistedKey(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}
