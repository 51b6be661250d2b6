import { types } from 'node:util';
import { ResultEncodingError } from './errors.js';

/*
 * Tagged JSON: how memotape stores results (and encoded params) in the dump file, on disk and in Redis.
 *
 * Plain JSON values are stored as they are: strings, finite numbers other than -0, booleans, null, dense arrays
 * and plain objects (prototype Object.prototype or null; null-prototype objects decode as plain objects). Every
 * value plain JSON would lose or change is stored as a tag object `{ "$mt": <tag>, "v": <payload> }`:
 *
 *   tag  value                                   v
 *   u    undefined                               (absent)
 *   n    NaN, Infinity, -Infinity, -0            "NaN" | "Infinity" | "-Infinity" | "-0"
 *   b    bigint                                  decimal string, e.g. "-12"
 *   D    Date                                    epoch milliseconds, or null for an invalid Date
 *   R    RegExp                                  [source, flags] (lastIndex is not kept)
 *   M    Map                                     [[key, value], ...] in insertion order, both encoded
 *   S    Set                                     [member, ...] in insertion order, encoded
 *   B    Buffer                                  base64 of its bytes
 *   T    typed array (Int8Array ... BigUint64Array, Float16Array where present)
 *                                                [type name, base64 of its bytes in platform (little-endian) order]
 *   A    ArrayBuffer                             base64 of its bytes
 *   V    DataView                                base64 of the bytes it views (decodes with byteOffset 0)
 *   h    a run of holes in a sparse array        the run length (>= 1); only valid as an array element
 *   E    Error (any subclass)                    { n: name, m: message, p?: { own enumerable primitive props },
 *                                                  c?: cause } (see below)
 *   O    plain object with an own "$mt" key      the object's members, encoded; the escape that keeps user data
 *                                                  from ever being read as a tag
 *
 * Errors are stored best-effort, because they record thrown errors: the stack is dropped, as are own enumerable
 * properties that are objects, functions or symbols; `cause` is kept when it can be encoded. They decode to the
 * built-in constructor of the same name (Error, TypeError, RangeError, ...) or else to an Error whose `name` is the
 * stored name, with `stack` set to `<name>: <message>`.
 *
 * Only the exact built-in types above are accepted (a subclass of Map, say, is rejected rather than decoded as a
 * plain Map); anything else (functions, symbols, promises, WeakMap/WeakSet/WeakRef, class instances, circular
 * references, enumerable symbol keys) throws a ResultEncodingError naming its path, e.g. `result.items[2].handler`.
 * Shared (non-circular) references are allowed and are stored once per occurrence. Own properties of arrays
 * other than their elements are ignored, as JSON.stringify ignores them.
 *
 * Both directions are a single recursive pass. Paths are only built when something fails: a failure is thrown as an
 * internal EncodingFailure and each container on the way up adds its segment.
 */

/**
 * A JSON value: what {@link encodeTagged} returns and what `JSON.parse` gives back.
 *
 * @example
 * ```ts
 * const stored: Json = encodeTagged(new Map([['a', 1n]]));
 * // { $mt: 'M', v: [['a', { $mt: 'b', v: '1' }]] }
 * ```
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type JsonObject = { [key: string]: Json };

const TAG = '$mt';
const ROOT_DECODE_PATH = 'json';

/** Thrown inside the codec; collects path segments (innermost first) while the stack unwinds. */
class EncodingFailure {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

function withSegment(error: unknown, segment: string): unknown {
  if (error instanceof EncodingFailure) error.segments.push(segment);
  return error;
}

function toResultEncodingError(failure: EncodingFailure, rootPath: string): ResultEncodingError {
  let path = rootPath;
  for (let index = failure.segments.length - 1; index >= 0; index--) path += failure.segments[index];
  return new ResultEncodingError(path, failure.reason);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function propertySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeMapKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'number':
      return Object.is(key, -0) ? '-0' : String(key);
    case 'bigint':
      return `${key}n`;
    case 'symbol':
      return key.toString();
    case 'function':
      return `<function ${key.name || 'anonymous'}>`;
    case 'object':
      return key === null ? 'null' : `<${Object.prototype.toString.call(key).slice(8, -1)}>`;
    default:
      return String(key);
  }
}

const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;
const isEnumerableOwn = Object.prototype.propertyIsEnumerable;

/**
 * Keys that plain assignment would not store as an own data property of a fresh object (`__proto__` sets the
 * prototype; the others would fail if Object.prototype were frozen). They are written with defineProperty.
 */
const OBJECT_PROTOTYPE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(objectPrototype));

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (OBJECT_PROTOTYPE_KEYS.has(key)) {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

type TypedArrayConstructor = {
  new (buffer: ArrayBuffer): ArrayBufferView;
  readonly BYTES_PER_ELEMENT: number;
  readonly prototype: object;
};

const TYPED_ARRAY_CONSTRUCTORS = new Map<string, TypedArrayConstructor>();
for (const typedArrayConstructor of [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  (globalThis as { Float16Array?: TypedArrayConstructor }).Float16Array,
] as (TypedArrayConstructor | undefined)[]) {
  if (typedArrayConstructor) TYPED_ARRAY_CONSTRUCTORS.set(typedArrayConstructor.name, typedArrayConstructor);
}

const TYPED_ARRAY_NAMES = new Map<object, string>();
for (const [name, typedArrayConstructor] of TYPED_ARRAY_CONSTRUCTORS)
  TYPED_ARRAY_NAMES.set(typedArrayConstructor.prototype, name);

const ERROR_CONSTRUCTORS = new Map<string, ErrorConstructor>([
  ['Error', Error],
  ['EvalError', EvalError],
  ['RangeError', RangeError],
  ['ReferenceError', ReferenceError],
  ['SyntaxError', SyntaxError],
  ['TypeError', TypeError],
  ['URIError', URIError],
]);

// Tags without per-value data are shared; they are frozen so that sharing them is safe.
const UNDEFINED_TAG: Json = Object.freeze({ $mt: 'u' });
const NAN_TAG: Json = Object.freeze({ $mt: 'n', v: 'NaN' });
const INFINITY_TAG: Json = Object.freeze({ $mt: 'n', v: 'Infinity' });
const NEGATIVE_INFINITY_TAG: Json = Object.freeze({ $mt: 'n', v: '-Infinity' });
const NEGATIVE_ZERO_TAG: Json = Object.freeze({ $mt: 'n', v: '-0' });

function bytesToBase64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

interface EncodeState {
  /** The containers being encoded, outermost first; `depth` of them are live. */
  readonly ancestors: object[];
  depth: number;
}

function enter(state: EncodeState, object: object): void {
  const { ancestors } = state;
  for (let index = state.depth - 1; index >= 0; index--) {
    if (ancestors[index] === object) throw new EncodingFailure('a circular reference');
  }
  ancestors[state.depth++] = object;
}

function encodeValue(value: unknown, state: EncodeState): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (value !== 0 ? Number.isFinite(value) : 1 / value > 0) return value;
      if (value === 0) return NEGATIVE_ZERO_TAG;
      if (value === Number.POSITIVE_INFINITY) return INFINITY_TAG;
      return value === Number.NEGATIVE_INFINITY ? NEGATIVE_INFINITY_TAG : NAN_TAG;
    case 'object':
      return value === null ? null : encodeObject(value, state);
    case 'undefined':
      return UNDEFINED_TAG;
    case 'bigint':
      return { $mt: 'b', v: value.toString() };
    case 'function':
      throw new EncodingFailure(`a function (${value.name || 'anonymous'})`);
    default:
      throw new EncodingFailure(`a symbol (${String((value as symbol).description)})`);
  }
}

function encodeObject(object: object, state: EncodeState): Json {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === objectPrototype || prototype === null) {
    return encodePlainObject(object as Record<string, unknown>, state);
  }
  if (prototype === arrayPrototype && Array.isArray(object)) return encodeArray(object, state);
  switch (prototype) {
    case Date.prototype:
      if (types.isDate(object)) {
        const time = (object as Date).getTime();
        return { $mt: 'D', v: Number.isNaN(time) ? null : time };
      }
      break;
    case RegExp.prototype:
      if (types.isRegExp(object)) return { $mt: 'R', v: [(object as RegExp).source, (object as RegExp).flags] };
      break;
    case Map.prototype:
      if (types.isMap(object)) return encodeMap(object as Map<unknown, unknown>, state);
      break;
    case Set.prototype:
      if (types.isSet(object)) return encodeSet(object as Set<unknown>, state);
      break;
    case Buffer.prototype:
      if (Buffer.isBuffer(object)) return { $mt: 'B', v: object.toString('base64') };
      break;
    case ArrayBuffer.prototype:
      if (types.isArrayBuffer(object)) return { $mt: 'A', v: Buffer.from(object as ArrayBuffer).toString('base64') };
      break;
    case DataView.prototype:
      if (types.isDataView(object)) return { $mt: 'V', v: bytesToBase64(object as DataView) };
      break;
    default: {
      const typedArrayName = TYPED_ARRAY_NAMES.get(prototype as object);
      if (typedArrayName !== undefined && types.isTypedArray(object)) {
        return { $mt: 'T', v: [typedArrayName, bytesToBase64(object)] };
      }
      if (object instanceof Error || types.isNativeError(object)) return encodeError(object as Error, state);
    }
  }
  throw new EncodingFailure(describeUnsupportedObject(object));
}

function describeUnsupportedObject(object: object): string {
  if (types.isPromise(object)) return 'a promise (await it before returning it)';
  if (types.isWeakMap(object)) return 'a WeakMap, whose contents cannot be read';
  if (types.isWeakSet(object)) return 'a WeakSet, whose contents cannot be read';
  if (object instanceof WeakRef) return 'a WeakRef, whose target cannot be stored';
  const constructorName: unknown = (object as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === 'string' && constructorName !== ''
    ? `an instance of ${constructorName}`
    : 'an object with a custom prototype';
}

function encodePlainObject(object: Record<string, unknown>, state: EncodeState): Json {
  const symbols = Object.getOwnPropertySymbols(object);
  for (let index = 0; index < symbols.length; index++) {
    const symbol = symbols[index]!;
    if (isEnumerableOwn.call(object, symbol)) {
      throw withSegment(
        new EncodingFailure('a symbol-keyed property, which JSON cannot hold'),
        `[${symbol.toString()}]`,
      );
    }
  }
  enter(state, object);
  const keys = Object.keys(object);
  const out: JsonObject = {};
  let escaped = false;
  let key = '';
  try {
    for (let index = 0; index < keys.length; index++) {
      key = keys[index]!;
      const encoded = encodeValue(object[key], state);
      if (OBJECT_PROTOTYPE_KEYS.has(key)) setOwn(out, key, encoded);
      else out[key] = encoded;
      if (key === TAG) escaped = true;
    }
  } catch (error) {
    throw withSegment(error, propertySegment(key));
  }
  state.depth--;
  return escaped ? { $mt: 'O', v: out } : out;
}

function encodeArray(array: readonly unknown[], state: EncodeState): Json {
  enter(state, array);
  const length = array.length;
  const out: Json[] = [];
  let index = 0;
  try {
    for (; index < length; index++) {
      const element = array[index];
      if (element === undefined && !(index in array)) {
        let end = index + 1;
        while (end < length && !(end in array)) end++;
        out.push({ $mt: 'h', v: end - index });
        index = end - 1;
      } else {
        out.push(encodeValue(element, state));
      }
    }
  } catch (error) {
    throw withSegment(error, `[${index}]`);
  }
  state.depth--;
  return out;
}

function encodeMap(map: Map<unknown, unknown>, state: EncodeState): Json {
  enter(state, map);
  const entries: Json[] = [];
  let index = 0;
  let key: unknown;
  let inValue = false;
  try {
    for (const entry of map) {
      key = entry[0];
      inValue = false;
      const encodedKey = encodeValue(key, state);
      inValue = true;
      entries.push([encodedKey, encodeValue(entry[1], state)]);
      index++;
    }
  } catch (error) {
    throw withSegment(error, inValue ? `.get(${describeMapKey(key)})` : `.keys()[${index}]`);
  }
  state.depth--;
  return { $mt: 'M', v: entries };
}

function encodeSet(set: Set<unknown>, state: EncodeState): Json {
  enter(state, set);
  const members: Json[] = [];
  let index = 0;
  try {
    for (const member of set) {
      members.push(encodeValue(member, state));
      index++;
    }
  } catch (error) {
    throw withSegment(error, `.values()[${index}]`);
  }
  state.depth--;
  return { $mt: 'S', v: members };
}

function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/** Errors are stored best-effort (see the table): this never throws an EncodingFailure. */
function encodeError(error: Error, state: EncodeState): Json {
  const name: unknown = error.name;
  const message: unknown = error.message;
  const out: JsonObject = {
    n: typeof name === 'string' ? name : String(name),
    m: typeof message === 'string' ? message : String(message),
  };
  let props: JsonObject | undefined;
  for (const key of Object.keys(error)) {
    if (key === 'stack') continue;
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (descriptor === undefined || !('value' in descriptor) || !isPrimitive(descriptor.value)) continue;
    props ??= {};
    setOwn(props, key, encodeValue(descriptor.value, state));
  }
  if (props !== undefined) out.p = props;
  if (Object.hasOwn(error, 'cause') && !(props !== undefined && Object.hasOwn(props, 'cause'))) {
    const depth = state.depth;
    try {
      enter(state, error);
      out.c = encodeValue(error.cause, state);
    } catch (failure) {
      if (!(failure instanceof EncodingFailure)) throw failure;
    }
    state.depth = depth;
  }
  return { $mt: 'E', v: out };
}

/**
 * Encodes a value as tagged JSON: plain JSON data stays as it is, everything else plain JSON would lose becomes a
 * `{ "$mt": tag, "v": payload }` object (the table is at the top of `codec.ts`). The result is JSON-serializable and
 * {@link decodeTagged} turns it back into an equal value of the same types.
 *
 * Throws a {@link ResultEncodingError} (code `ERR_MEMOTAPE_RESULT_ENCODING`) whose `path`, starting at `rootPath`,
 * names the first value that cannot be stored: a function, symbol, promise, WeakMap/WeakSet/WeakRef, class instance,
 * circular reference or enumerable symbol key.
 *
 * @param value The value to encode.
 * @param rootPath How the value is named in error paths (`'result'` unless told).
 * @example
 * ```ts
 * encodeTagged({ at: new Date(0), tags: new Set(['a']), missing: undefined });
 * // { at: { $mt: 'D', v: 0 }, tags: { $mt: 'S', v: ['a'] }, missing: { $mt: 'u' } }
 *
 * encodeTagged({ items: [1, 2, { handler() {} }] });
 * // throws ResultEncodingError, path 'result.items[2].handler'
 * ```
 */
export function encodeTagged(value: unknown, rootPath = 'result'): Json {
  try {
    return encodeValue(value, { ancestors: [], depth: 0 });
  } catch (error) {
    if (error instanceof EncodingFailure) throw toResultEncodingError(error, rootPath);
    throw error;
  }
}

/**
 * Whether {@link encodeTagged} would accept the value. Never throws (a getter that throws also gives `false`).
 * Errors always count as encodable, since they are stored best-effort.
 *
 * @example
 * ```ts
 * canEncodeTagged({ at: new Date(), ids: new Set([1n]) }); // true
 * canEncodeTagged({ onDone() {} }); // false
 * ```
 */
export function canEncodeTagged(value: unknown): boolean {
  try {
    encodeValue(value, { ancestors: [], depth: 0 });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** What a hole tag decodes to inside an array: a run of `count` holes. */
class Holes {
  constructor(readonly count: number) {}
}

const MAX_ARRAY_LENGTH = 2 ** 32 - 1;
const BIGINT_TEXT = /^-?\d+$/;
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

function malformed(tag: string, expected: string): EncodingFailure {
  return new EncodingFailure(`a malformed ${JSON.stringify(tag)} tag (${expected})`);
}

function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === objectPrototype || prototype === null;
}

function decodeValue(json: unknown): unknown {
  switch (typeof json) {
    case 'string':
    case 'number':
    case 'boolean':
      return json;
    case 'object':
      if (json === null) return null;
      return Array.isArray(json) ? decodeArray(json) : decodeObject(json, false);
    default:
      throw new EncodingFailure(`not JSON data (${typeof json})`);
  }
}

function decodeObject(object: object, inArray: boolean): unknown {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== objectPrototype && prototype !== null) {
    throw new EncodingFailure(`not JSON data (${describeUnsupportedObject(object)})`);
  }
  if (Object.hasOwn(object, TAG)) return decodeTag(object as Record<string, unknown>, inArray);
  return decodeMembers(object as Record<string, unknown>);
}

function decodeMembers(object: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(object);
  const out: Record<string, unknown> = {};
  let key = '';
  try {
    for (let index = 0; index < keys.length; index++) {
      key = keys[index]!;
      const decoded = decodeValue(object[key]);
      if (OBJECT_PROTOTYPE_KEYS.has(key)) setOwn(out, key, decoded);
      else out[key] = decoded;
    }
  } catch (error) {
    throw withSegment(error, propertySegment(key));
  }
  return out;
}

function decodeArray(array: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  let index = 0;
  try {
    for (; index < array.length; index++) {
      const element = array[index];
      if (typeof element === 'object' && element !== null && !Array.isArray(element)) {
        const decoded = decodeObject(element, true);
        if (decoded instanceof Holes) {
          if (out.length + decoded.count > MAX_ARRAY_LENGTH) throw malformed('h', 'the array would be too long');
          out.length += decoded.count;
        } else {
          out.push(decoded);
        }
      } else {
        out.push(decodeValue(element));
      }
    }
  } catch (error) {
    throw withSegment(error, `[${index}]`);
  }
  return out;
}

function decodeBase64(tag: string, payload: unknown): Buffer {
  if (typeof payload !== 'string' || payload.length % 4 !== 0 || !BASE64_TEXT.test(payload)) {
    throw malformed(tag, 'v must be a base64 string');
  }
  return Buffer.from(payload, 'base64');
}

function copyToArrayBuffer(bytes: Buffer): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

function decodeTag(object: Record<string, unknown>, inArray: boolean): unknown {
  const tag = object[TAG];
  if (typeof tag !== 'string') throw new EncodingFailure('a tagged value whose "$mt" is not a string');
  for (const key of Object.keys(object)) {
    if (key !== TAG && key !== 'v') {
      throw new EncodingFailure(`a tagged value with an unexpected key ${JSON.stringify(key)}`);
    }
  }
  const payload = object.v;
  switch (tag) {
    case 'u':
      return undefined;
    case 'n':
      switch (payload) {
        case 'NaN':
          return Number.NaN;
        case 'Infinity':
          return Number.POSITIVE_INFINITY;
        case '-Infinity':
          return Number.NEGATIVE_INFINITY;
        case '-0':
          return -0;
      }
      throw malformed(tag, 'v must be "NaN", "Infinity", "-Infinity" or "-0"');
    case 'b':
      if (typeof payload !== 'string' || !BIGINT_TEXT.test(payload)) throw malformed(tag, 'v must be a decimal string');
      return BigInt(payload);
    case 'D':
      if (payload === null) return new Date(Number.NaN);
      if (typeof payload !== 'number') throw malformed(tag, 'v must be a number or null');
      return new Date(payload);
    case 'R':
      return decodeRegExp(payload);
    case 'M':
      return decodeMap(payload);
    case 'S':
      return decodeSet(payload);
    case 'B':
      return decodeBase64(tag, payload);
    case 'T':
      return decodeTypedArray(payload);
    case 'A':
      return copyToArrayBuffer(decodeBase64(tag, payload));
    case 'V':
      return new DataView(copyToArrayBuffer(decodeBase64(tag, payload)));
    case 'h':
      if (!inArray) throw new EncodingFailure('a hole tag ("h") outside an array');
      if (typeof payload !== 'number' || !Number.isSafeInteger(payload) || payload < 1) {
        throw malformed(tag, 'v must be a positive integer');
      }
      return new Holes(payload);
    case 'E':
      return decodeError(payload);
    case 'O':
      if (!isPlainJsonObject(payload)) throw malformed(tag, 'v must be an object');
      try {
        return decodeMembers(payload);
      } catch (error) {
        throw withSegment(error, '.v');
      }
    default:
      throw new EncodingFailure(`a tagged value with an unknown tag ${JSON.stringify(tag)}`);
  }
}

function decodeRegExp(payload: unknown): RegExp {
  if (!Array.isArray(payload) || payload.length !== 2) throw malformed('R', 'v must be [source, flags]');
  const [source, flags] = payload as unknown[];
  if (typeof source !== 'string' || typeof flags !== 'string') throw malformed('R', 'v must be [source, flags]');
  try {
    return new RegExp(source, flags);
  } catch {
    throw malformed('R', 'v is not a valid regular expression');
  }
}

function decodeMap(payload: unknown): Map<unknown, unknown> {
  if (!Array.isArray(payload)) throw malformed('M', 'v must be an array of [key, value] pairs');
  const map = new Map<unknown, unknown>();
  let index = 0;
  let segment = '';
  for (; index < payload.length; index++) {
    const entry: unknown = payload[index];
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw malformed('M', `entry ${index} is not a [key, value] pair`);
    }
    try {
      segment = '[0]';
      const key = decodeValue(entry[0]);
      segment = '[1]';
      map.set(key, decodeValue(entry[1]));
    } catch (error) {
      throw withSegment(error, `.v[${index}]${segment}`);
    }
  }
  return map;
}

function decodeSet(payload: unknown): Set<unknown> {
  if (!Array.isArray(payload)) throw malformed('S', 'v must be an array');
  const set = new Set<unknown>();
  let index = 0;
  try {
    for (; index < payload.length; index++) set.add(decodeValue(payload[index]));
  } catch (error) {
    throw withSegment(error, `.v[${index}]`);
  }
  return set;
}

function decodeTypedArray(payload: unknown): ArrayBufferView {
  if (!Array.isArray(payload) || payload.length !== 2 || typeof payload[0] !== 'string') {
    throw malformed('T', 'v must be [type name, base64]');
  }
  const typedArrayConstructor = TYPED_ARRAY_CONSTRUCTORS.get(payload[0]);
  if (typedArrayConstructor === undefined)
    throw malformed('T', `unknown typed array type ${JSON.stringify(payload[0])}`);
  const bytes = decodeBase64('T', payload[1]);
  if (bytes.length % typedArrayConstructor.BYTES_PER_ELEMENT !== 0) {
    throw malformed('T', `${bytes.length} bytes do not fill whole ${payload[0]} elements`);
  }
  return new typedArrayConstructor(copyToArrayBuffer(bytes));
}

function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
}

function decodeError(payload: unknown): Error {
  if (!isPlainJsonObject(payload) || typeof payload.n !== 'string' || typeof payload.m !== 'string') {
    throw malformed('E', 'v must be { n: name, m: message, p?, c? }');
  }
  const { n: name, m: message } = payload;
  if (payload.p !== undefined && !isPlainJsonObject(payload.p)) throw malformed('E', 'p must be an object');
  const error = new (ERROR_CONSTRUCTORS.get(name) ?? Error)(message);
  if (error.name !== name) defineHidden(error, 'name', name);
  defineHidden(error, 'stack', message === '' ? name : `${name}: ${message}`);
  let segment = '.v';
  try {
    if (Object.hasOwn(payload, 'c')) {
      segment = '.v.c';
      defineHidden(error, 'cause', decodeValue(payload.c));
    }
    if (payload.p !== undefined) {
      segment = '.v.p';
      const props = decodeMembers(payload.p);
      for (const key of Object.keys(props)) {
        Object.defineProperty(error, key, { value: props[key], writable: true, enumerable: true, configurable: true });
      }
    }
  } catch (failure) {
    throw withSegment(failure, segment);
  }
  return error;
}

/**
 * Decodes tagged JSON made by {@link encodeTagged} (usually straight from `JSON.parse`) back into the value it stands
 * for. Decoding is prototype-safe: keys such as `__proto__`, `constructor` and `prototype` become plain own data
 * properties, so JSON input can never change a prototype or pollute `Object.prototype`.
 *
 * Throws a {@link ResultEncodingError} whose `path` (starting at `json`) names the offending place for an unknown or
 * malformed tag, or for input that is not JSON data.
 *
 * @example
 * ```ts
 * decodeTagged(JSON.parse('{"at":{"$mt":"D","v":0},"n":{"$mt":"b","v":"12"}}'));
 * // { at: new Date(0), n: 12n }
 *
 * decodeTagged({ a: { b: { $mt: 'Nope', v: 1 } } });
 * // throws ResultEncodingError, path 'json.a.b'
 * ```
 */
export function decodeTagged(json: unknown): unknown {
  try {
    return decodeValue(json);
  } catch (error) {
    if (error instanceof EncodingFailure) throw toResultEncodingError(error, ROOT_DECODE_PATH);
    throw error;
  }
}
