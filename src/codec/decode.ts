import {
  copyToArrayBuffer,
  decodeBase64,
  describeUnsupportedObject,
  EncodingFailure,
  ERROR_CONSTRUCTORS,
  malformed,
  OBJECT_PROTOTYPE_KEYS,
  objectPrototype,
  propertySegment,
  setOwn,
  TAG,
  TYPED_ARRAY_CONSTRUCTORS,
  withSegment,
} from './shared.js';

/*
 * The decoding pass: one recursive walk from tagged JSON (usually straight from JSON.parse) back to the value it
 * stands for (the tag table is in `codec.ts`). Input is untrusted: every tag payload is validated, and every key is
 * written as an own data property so that JSON can never reach a prototype.
 */

/**
 * What a hole tag decodes to inside an array: a run of `count` holes. A private class, so no decoded user value can
 * be mistaken for it.
 */
class Holes {
  constructor(readonly count: number) {}
}

/** The longest array JavaScript allows; a larger hole run is refused rather than left to throw a RangeError. */
const MAX_ARRAY_LENGTH = 2 ** 32 - 1;
const BIGINT_TEXT = /^-?\d+$/;

function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === objectPrototype || prototype === null;
}

/**
 * Decodes any JSON value; the entry point of the pass, called again for every member, element and payload. Takes
 * `unknown` because the input is only trusted to be JSON once it has been walked.
 */
export function decodeValue(json: unknown): unknown {
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

/** Decodes a tag or a plain object; `inArray` says whether a hole tag is allowed here (only as an array element). */
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

/** Defines a non-enumerable property, as the Error constructor itself makes `message`, `stack` and `cause`. */
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
