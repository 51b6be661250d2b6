import { types } from 'node:util';
import type { Json } from '../codec.js';
import { arrayPrototype, objectPrototype, TAG } from './shared.js';

/*
 * Values that are tagged JSON already: plain objects and arrays of strings, booleans, finite numbers and null. For
 * them encodeTagged answers a deep copy, and JSON.stringify writes the copy and the value itself alike, so a caller
 * that only serializes the encoding right away (the exit dump, 100k entries at a time) can skip the copy: no
 * allocation, and nothing for the garbage collector to move while the dump holds its entries.
 *
 * The check reads the value without running any code of the user's, so the value cannot change between the check
 * and the serializing (no code runs in between): it only reads own data properties (an accessor, a proxy or an own
 * `toJSON` sends the value to encodeTagged, which reads it once and keeps a copy), and it refuses everything while
 * Object.prototype or Array.prototype has a `toJSON` (JSON.stringify would call it on a copy, not always on the
 * value). Anything it refuses is encoded the ordinary way, with the same outcome as before: a copy or an error.
 */

/** Deeper values go to encodeTagged (which handles any depth it can): a cycle ends here too. */
const MAX_DEPTH = 64;

const { getOwnPropertyDescriptor, getOwnPropertySymbols, getPrototypeOf, hasOwn, keys: ownKeys } = Object;
const { isProxy } = types;

/** A data property's value, or `undefined` for an accessor (or no property): read without calling any getter. */
function dataValue(target: object, key: string | number): unknown {
  const descriptor = getOwnPropertyDescriptor(target, key);
  return descriptor === undefined || !('value' in descriptor) ? undefined : descriptor.value;
}

function isAsIs(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // Not NaN, ±Infinity or -0, which have tags.
      return value !== 0 ? Number.isFinite(value) : 1 / value > 0;
    case 'object':
      return value === null || (depth < MAX_DEPTH && isAsIsObject(value, depth + 1));
    default:
      return false;
  }
}

function isAsIsObject(object: object, depth: number): boolean {
  if (isProxy(object)) return false;
  const prototype: unknown = getPrototypeOf(object);
  if (prototype === arrayPrototype) {
    if (!Array.isArray(object) || hasOwn(object, 'toJSON')) return false;
    const length = object.length;
    for (let index = 0; index < length; index++) {
      // A hole or `undefined` (both tagged) reads as undefined here.
      const element = dataValue(object, index);
      if (element === undefined || !isAsIs(element, depth)) return false;
    }
    return true;
  }
  if (prototype !== objectPrototype && prototype !== null) return false;
  // Symbol keys make encodeTagged throw (or are left out by both): either way, not for this shortcut.
  if (getOwnPropertySymbols(object).length > 0 || hasOwn(object, 'toJSON')) return false;
  const keys = ownKeys(object);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    // A `$mt` key is escaped by encodeTagged.
    if (key === TAG) return false;
    const member = dataValue(object, key);
    if (member === undefined || !isAsIs(member, depth)) return false;
  }
  return true;
}

/**
 * Whether `value` is tagged JSON already: `encodeTagged(value)` would answer a copy of it that JSON.stringify writes
 * exactly as it writes `value`, and reading it (here or by JSON.stringify) runs no code of the user's. When it
 * answers `true`, `value` may be serialized in place of its encoding, provided nothing changes it in between.
 *
 * @example
 * ```ts
 * const encoded = isTaggedJson(result) ? result : encodeTagged(result);
 * ```
 */
export function isTaggedJson(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null) return isAsIs(value, 0);
  return !hasOwn(objectPrototype, 'toJSON') && !hasOwn(arrayPrototype, 'toJSON') && isAsIs(value, 0);
}
