import { decodeValue } from './codec/decode.js';
import { encodeValue } from './codec/encode.js';
import { EncodingFailure, toResultEncodingError } from './codec/shared.js';
// Only named by the {@link ResultEncodingError} references below; the codec/ files construct it.
import type { ResultEncodingError } from './errors.js';

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
 * properties that are objects, functions or symbols; a `message` or `name` that is not a string is stored as its
 * string (an enumerable own `name` is also kept as a property); `cause` is kept when it can be encoded. They decode to the
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
 *
 * This file is the public surface (the table above, Json and the three functions below). The passes live next to it:
 * codec/encode.ts encodes, codec/decode.ts decodes, and codec/shared.ts holds what both use (the tag key,
 * EncodingFailure and path segments, the built-in constructor tables, base64 payloads).
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

/** How the decoded input is named in error paths, e.g. `json.a.b`. */
const ROOT_DECODE_PATH = 'json';

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
    if (error instanceof EncodingFailure) throw toResultEncodingError(error, ROOT_DECODE_PATH, true);
    throw error;
  }
}
