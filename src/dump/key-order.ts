/*
 * A collection's entries in key order, for writing: the order `[...keys].sort()` gives. A dump merges 100k new
 * entries, and sorting 100k strings (then looking each one up again) is a noticeable part of it. Persisted keys are
 * hex, so the first 7 digits of each key are a number: sorting those numbers (with the entry's position in the low
 * bits of the same double) in a Float64Array is native and allocation-free, and only keys that share those 7 digits
 * (a handful in 100k) are compared as strings afterwards. Keys that are not hex fall back to the string sort.
 */

/** Hex digits of a key that make up its number: 28 bits. */
const PREFIX_DIGITS = 7;
/** Positions take the low 25 bits (28 + 25 = 53 bits, exact in a double): up to 33 million entries. */
const POSITIONS = 2 ** 25;

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/**
 * The number the first 7 characters of `text` from `at` make as lowercase hex digits, or -1 when they are not all
 * such digits. For keys that have one, comparing prefixes orders them as comparing the keys would, except that
 * equal prefixes say nothing: those keys are compared as strings.
 */
export function keyPrefix(text: string, at = 0): number {
  let prefix = 0;
  for (let digit = 0; digit < PREFIX_DIGITS; digit++) {
    const code = hexDigit(text.charCodeAt(at + digit));
    if (code < 0) return -1;
    prefix = prefix * 16 + code;
  }
  return prefix;
}

/** Entries sorted by key; `prefixes` holds each key's {@link keyPrefix} when every key has one. */
export interface SortedEntries<Value> {
  readonly keys: string[];
  readonly values: Value[];
  readonly prefixes?: number[] | undefined;
}

/** The entries of `entries` sorted by key (code unit order): keys and values in two arrays of the same order. */
export function entriesByKey<Value>(entries: ReadonlyMap<string, Value>): SortedEntries<Value> {
  const count = entries.size;
  const keys: string[] = new Array(count);
  const values: Value[] = new Array(count);
  const order = count < POSITIONS ? new Float64Array(count) : undefined;
  let position = 0;
  for (const [key, value] of entries) {
    keys[position] = key;
    values[position] = value;
    if (order !== undefined) {
      const prefix = keyPrefix(key);
      if (prefix < 0) return sortedByString(entries, count);
      order[position] = prefix * POSITIONS + position;
    }
    position++;
  }
  if (order === undefined) return sortedByString(entries, count);
  order.sort();
  const sortedKeys: string[] = new Array(count);
  const sortedValues: Value[] = new Array(count);
  const prefixes: number[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const from = order[index]! % POSITIONS;
    sortedKeys[index] = keys[from]!;
    sortedValues[index] = values[from]!;
    prefixes[index] = Math.floor(order[index]! / POSITIONS);
  }
  // Keys with the same prefix come out in map order: put each such run in string order (an insertion sort).
  for (let index = 1; index < count; index++) {
    if (prefixes[index] !== prefixes[index - 1]) continue;
    for (let at = index; at > 0 && sortedKeys[at - 1]! > sortedKeys[at]!; at--) {
      [sortedKeys[at - 1], sortedKeys[at]] = [sortedKeys[at]!, sortedKeys[at - 1]!];
      [sortedValues[at - 1], sortedValues[at]] = [sortedValues[at]!, sortedValues[at - 1]!];
    }
  }
  return { keys: sortedKeys, values: sortedValues, prefixes };
}

function sortedByString<Value>(entries: ReadonlyMap<string, Value>, count: number): SortedEntries<Value> {
  const keys = [...entries.keys()].sort();
  const values: Value[] = new Array(count);
  for (let index = 0; index < count; index++) values[index] = entries.get(keys[index]!)!;
  return { keys, values };
}
