import { types } from 'node:util';
import { ResultEncodingError } from '../errors.js';

/*
 * What the encoding pass (encode.ts) and the decoding pass (decode.ts) both rely on: the tag key, the failure that
 * carries an error path up the stack, prototype-safe property writes, the tables of built-in constructors and the
 * base64 form of byte payloads. The tag table itself is documented in `codec.ts`.
 *
 * Everything here is a module-level constant or a plain function so that the hot loops of both passes use it exactly
 * as they did when the codec was one file: no wrappers, no per-node allocation.
 */

/** The key that marks an object as a tag (`{ "$mt": <tag>, "v": <payload> }`). */
export const TAG = '$mt';

// ---------------------------------------------------------------------------------------------------------------
// Failures and error paths

/**
 * Thrown inside the codec; collects path segments (innermost first) while the stack unwinds. It is not an Error, so
 * that a failure deep in a large value costs no stack capture; `codec.ts` turns it into a ResultEncodingError.
 */
export class EncodingFailure {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

/** Adds the segment of the container being unwound through; anything that is not an EncodingFailure passes as is. */
export function withSegment(error: unknown, segment: string): unknown {
  if (error instanceof EncodingFailure) error.segments.push(segment);
  return error;
}

/** The public error for a failure: its segments, outermost first, appended to `rootPath`. */
export function toResultEncodingError(
  failure: EncodingFailure,
  rootPath: string,
  reading = false,
): ResultEncodingError {
  let path = rootPath;
  for (let index = failure.segments.length - 1; index >= 0; index--) path += failure.segments[index];
  return new ResultEncodingError(path, failure.reason, reading);
}

/** A failure for tagged input whose tag is known but whose payload is not what that tag stores. */
export function malformed(tag: string, expected: string): EncodingFailure {
  return new EncodingFailure(`a malformed ${JSON.stringify(tag)} tag (${expected})`);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path segment for an object member: `.name` when the key is an identifier, `["some key"]` otherwise. */
export function propertySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Why an object that is neither plain data nor a supported built-in is refused. Used by the encoder (a value it cannot
 * store) and by the decoder (input that did not come from JSON.parse).
 */
export function describeUnsupportedObject(object: object): string {
  if (types.isPromise(object)) return 'a promise (await it before returning it)';
  if (types.isWeakMap(object)) return 'a WeakMap, whose contents cannot be read';
  if (types.isWeakSet(object)) return 'a WeakSet, whose contents cannot be read';
  if (object instanceof WeakRef) return 'a WeakRef, whose target cannot be stored';
  const constructorName: unknown = (object as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === 'string' && constructorName !== ''
    ? `an instance of ${constructorName}`
    : 'an object with a custom prototype';
}

// ---------------------------------------------------------------------------------------------------------------
// Prototypes and prototype-safe writes

// Captured once at load so the per-node prototype checks compare against a constant rather than re-reading globals.
export const objectPrototype = Object.prototype;
export const arrayPrototype = Array.prototype;

/**
 * Keys that plain assignment would not store as an own data property of a fresh object (`__proto__` sets the
 * prototype; the others would fail if Object.prototype were frozen). They are written with defineProperty.
 */
export const OBJECT_PROTOTYPE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(objectPrototype));

/** Stores `value` as an own enumerable data property, even for the keys in {@link OBJECT_PROTOTYPE_KEYS}. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (OBJECT_PROTOTYPE_KEYS.has(key)) {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Built-in constructor tables

export type TypedArrayConstructor = {
  new (buffer: ArrayBuffer): ArrayBufferView;
  readonly BYTES_PER_ELEMENT: number;
  readonly prototype: object;
};

/** The typed array constructors this runtime has, by the name stored in a "T" tag (Float16Array only where present). */
export const TYPED_ARRAY_CONSTRUCTORS = new Map<string, TypedArrayConstructor>();
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

/** The reverse table, keyed by prototype, so the encoder recognises an exact typed array with one lookup. */
export const TYPED_ARRAY_NAMES = new Map<object, string>();
for (const [name, typedArrayConstructor] of TYPED_ARRAY_CONSTRUCTORS)
  TYPED_ARRAY_NAMES.set(typedArrayConstructor.prototype, name);

/** The built-in Error constructors an "E" tag decodes to by name; any other name decodes to a renamed Error. */
export const ERROR_CONSTRUCTORS = new Map<string, ErrorConstructor>([
  ['Error', Error],
  ['EvalError', EvalError],
  ['RangeError', RangeError],
  ['ReferenceError', ReferenceError],
  ['SyntaxError', SyntaxError],
  ['TypeError', TypeError],
  ['URIError', URIError],
]);

// ---------------------------------------------------------------------------------------------------------------
// Base64 payloads ("B", "T", "A" and "V" tags)

const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

/** The base64 of exactly the bytes a view covers (not the whole underlying buffer). */
export function bytesToBase64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/**
 * The bytes of a base64 payload. Checked first because Buffer.from silently skips characters it does not know, which
 * would turn corrupt input into wrong data instead of an error.
 */
export function decodeBase64(tag: string, payload: unknown): Buffer {
  if (typeof payload !== 'string' || payload.length % 4 !== 0 || !BASE64_TEXT.test(payload)) {
    throw malformed(tag, 'v must be a base64 string');
  }
  return Buffer.from(payload, 'base64');
}

/**
 * A fresh ArrayBuffer holding just these bytes. Small Buffers share Node's pooled ArrayBuffer, so handing out
 * `bytes.buffer` would expose unrelated memory and misplace byteOffset 0.
 */
export function copyToArrayBuffer(bytes: Buffer): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}
