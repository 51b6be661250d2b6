import { types } from 'node:util';
import type { Json } from '../codec.js';
import {
  arrayPrototype,
  bytesToBase64,
  describeUnsupportedObject,
  EncodingFailure,
  OBJECT_PROTOTYPE_KEYS,
  objectPrototype,
  propertySegment,
  setOwn,
  TAG,
  TYPED_ARRAY_NAMES,
  withSegment,
} from './shared.js';

/*
 * The encoding pass: one recursive walk from a value to tagged JSON (the tag table is in `codec.ts`). Each container
 * checks for cycles on entry, and adds its path segment only when a failure unwinds through it, so a value that
 * encodes pays for no path strings.
 */

type JsonObject = { [key: string]: Json };

const isEnumerableOwn = Object.prototype.propertyIsEnumerable;

// Tags without per-value data are shared; they are frozen so that sharing them is safe.
const UNDEFINED_TAG: Json = Object.freeze({ $mt: 'u' });
const NAN_TAG: Json = Object.freeze({ $mt: 'n', v: 'NaN' });
const INFINITY_TAG: Json = Object.freeze({ $mt: 'n', v: 'Infinity' });
const NEGATIVE_INFINITY_TAG: Json = Object.freeze({ $mt: 'n', v: '-Infinity' });
const NEGATIVE_ZERO_TAG: Json = Object.freeze({ $mt: 'n', v: '-0' });

/** How a Map key is shown in a `.get(<key>)` path segment. */
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

/**
 * The cycle check of one encodeTagged call. A reused array with a depth counter rather than a Set: entering and leaving
 * a container is a store and a decrement, and real nesting is shallow enough that a linear scan beats hashing.
 * Start each call with `{ ancestors: [], depth: 0 }`.
 */
export interface EncodeState {
  /** The containers being encoded, outermost first; `depth` of them are live. */
  readonly ancestors: object[];
  depth: number;
}

/** Marks `object` as being encoded, failing if it is already an ancestor (a circular reference). */
function enter(state: EncodeState, object: object): void {
  const { ancestors } = state;
  for (let index = state.depth - 1; index >= 0; index--) {
    if (ancestors[index] === object) throw new EncodingFailure('a circular reference');
  }
  ancestors[state.depth++] = object;
}

/** Encodes any value; the entry point of the pass, called again for every member, element, entry and cause. */
export function encodeValue(value: unknown, state: EncodeState): Json {
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

/**
 * Dispatches on the exact prototype: a subclass (of Map, say) is refused rather than stored as its base type, and the
 * `types.isX` checks refuse objects that merely borrow a built-in prototype without its internal slots.
 */
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

/** The `name` data property nearest on the prototype chain of `error` (no getter runs), or `Error`. */
function inheritedName(error: Error): string {
  for (let prototype = Object.getPrototypeOf(error); prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, 'name');
    if (descriptor !== undefined) return 'value' in descriptor ? String(descriptor.value) : 'Error';
  }
  return 'Error';
}

/** Errors are stored best-effort (see the table in `codec.ts`): this never throws an EncodingFailure. */
function encodeError(error: Error, state: EncodeState): Json {
  // `n` names the class to rebuild. An own enumerable `name` is restored from `p` with the other properties, so `n`
  // then takes the name the error's prototype chain gives (a SyntaxError renamed to 0 is still a SyntaxError).
  const name: unknown = Object.prototype.propertyIsEnumerable.call(error, 'name') ? inheritedName(error) : error.name;
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
