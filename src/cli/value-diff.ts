import type { Json } from '../codec.js';
import { renderInline } from './render-value.js';

/*
 * The differences between two recorded values, as paths: `result.items[2].name: "a" → "b"`. The walk runs over the
 * tagged JSON but follows what the tags stand for: an escaped object (`O`) is walked as the object it is, a Map (`M`)
 * by its keys (`result.get("id")`). Every other tag (a Date, a Set, a BigInt, ...) is one value: if it differs, it is
 * shown whole. Arrays with holes are compared whole too, since a hole run shifts every index after it.
 */

/** One difference between two values. `before` or `after` is missing when that side has nothing at `path`. */
export interface ValueChange {
  readonly kind: 'changed' | 'added' | 'removed' | 'order';
  /** Where, as code: `result.items[2].name`, `result.get("id")`. */
  readonly path: string;
  readonly before?: Json;
  readonly after?: Json;
}

type JsonObject = { [key: string]: Json };

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tagOf(value: Json): string | undefined {
  return isObject(value) && typeof value.$mt === 'string' ? value.$mt : undefined;
}

function isHoleRun(value: Json): boolean {
  return tagOf(value) === 'h';
}

function propertySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Deep equality of JSON values, key order included (a replay hands back the recorded order). */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]!));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length && keysA.every((key, index) => key === keysB[index] && sameJson(a[key]!, b[key]!))
  );
}

function sameKeyOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index]);
}

function walk(before: Json, after: Json, path: string, out: ValueChange[]): void {
  if (sameJson(before, after)) return;
  const tagBefore = tagOf(before);
  const tagAfter = tagOf(after);
  if (tagBefore !== undefined || tagAfter !== undefined) {
    if (tagBefore === tagAfter && isObject(before) && isObject(after)) {
      if (tagBefore === 'O' && isObject(before.v) && isObject(after.v)) {
        walkObject(before.v, after.v, path, out);
        return;
      }
      if (tagBefore === 'M' && Array.isArray(before.v) && Array.isArray(after.v)) {
        walkMap(before.v, after.v, path, out);
        return;
      }
    }
    out.push({ kind: 'changed', path, before, after });
  } else if (Array.isArray(before) && Array.isArray(after) && !before.some(isHoleRun) && !after.some(isHoleRun)) {
    walkArray(before, after, path, out);
  } else if (isObject(before) && isObject(after)) {
    walkObject(before, after, path, out);
  } else {
    out.push({ kind: 'changed', path, before, after });
  }
}

function walkObject(before: JsonObject, after: JsonObject, path: string, out: ValueChange[]): void {
  const start = out.length;
  const beforeKeys = Object.keys(before);
  const afterKeys = Object.keys(after);
  for (const key of beforeKeys) {
    const childPath = path + propertySegment(key);
    if (Object.hasOwn(after, key)) walk(before[key]!, after[key]!, childPath, out);
    else out.push({ kind: 'removed', path: childPath, before: before[key]! });
  }
  for (const key of afterKeys) {
    if (!Object.hasOwn(before, key)) out.push({ kind: 'added', path: path + propertySegment(key), after: after[key]! });
  }
  if (out.length === start && !sameKeyOrder(beforeKeys, afterKeys)) out.push({ kind: 'order', path });
}

function walkArray(before: readonly Json[], after: readonly Json[], path: string, out: ValueChange[]): void {
  const length = Math.max(before.length, after.length);
  for (let index = 0; index < length; index++) {
    const childPath = `${path}[${index}]`;
    if (index >= after.length) out.push({ kind: 'removed', path: childPath, before: before[index]! });
    else if (index >= before.length) out.push({ kind: 'added', path: childPath, after: after[index]! });
    else walk(before[index]!, after[index]!, childPath, out);
  }
}

/** Map entries by their encoded key; an entry that is not a `[key, value]` pair makes the map one opaque value. */
function mapEntries(entries: readonly Json[]): Map<string, { key: Json; value: Json }> | undefined {
  const byKey = new Map<string, { key: Json; value: Json }>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) return undefined;
    byKey.set(JSON.stringify(entry[0]), { key: entry[0]!, value: entry[1]! });
  }
  return byKey;
}

function walkMap(before: readonly Json[], after: readonly Json[], path: string, out: ValueChange[]): void {
  const beforeEntries = mapEntries(before);
  const afterEntries = mapEntries(after);
  if (beforeEntries === undefined || afterEntries === undefined) {
    out.push({ kind: 'changed', path, before: { $mt: 'M', v: [...before] }, after: { $mt: 'M', v: [...after] } });
    return;
  }
  const start = out.length;
  const segment = (key: Json): string => `${path}.get(${renderInline(key)})`;
  for (const [id, { key, value }] of beforeEntries) {
    const match = afterEntries.get(id);
    if (match === undefined) out.push({ kind: 'removed', path: segment(key), before: value });
    else walk(value, match.value, segment(key), out);
  }
  for (const [id, { key, value }] of afterEntries) {
    if (!beforeEntries.has(id)) out.push({ kind: 'added', path: segment(key), after: value });
  }
  if (out.length === start && !sameKeyOrder([...beforeEntries.keys()], [...afterEntries.keys()])) {
    out.push({ kind: 'order', path });
  }
}

/**
 * The differences between two tagged JSON values, each with its path from `root` (`params`, `result`). Empty when
 * they are the same, key order included.
 */
export function diffTagged(before: Json, after: Json, root: string): ValueChange[] {
  const out: ValueChange[] = [];
  walk(before, after, root, out);
  return out;
}

/** One change as a line: `result.items[2].name: "a" → "b"`; a side with nothing there reads `(absent)`. */
export function describeChange(change: ValueChange): string {
  if (change.kind === 'order') return `${change.path}: same keys, in another order`;
  const before = change.before === undefined ? '(absent)' : renderInline(change.before);
  const after = change.after === undefined ? '(absent)' : renderInline(change.after);
  return `${change.path}: ${before} → ${after}`;
}
