import type { TextSink } from '../internal/atomic-write.js';
import { isPersistedKey } from '../key.js';
import { CanonicalEntry } from './canonical-entry.js';
import { comesAt } from './canonical-json.js';
import type { ScannedCollection } from './canonical-scan.js';
import type { DumpCollection, DumpEntry } from './dump-format.js';
import { entriesByKey } from './key-order.js';

/*
 * The text of a collection's entries in a dump file, in the exact form the format defines (see serializeDump): each
 * entry `      "<key>": { ... }` with its fields in alphabetical order, 2-space indent, entries sorted by key and
 * separated by `,\n`. What makes it fast for 100k entries:
 *
 * - a merge keeps the existing file's entries as text: runs of them between two new keys are copied as one slice of
 *   the old file (the scanner checked that this is exactly what would be written for them), and so are entries
 *   read from other canonical files (CanonicalEntry);
 * - the other entries are written by one JSON.stringify call per group of GROUP_SIZE: held by key in an object
 *   three levels down in a wrapper, in key order, they come out as `      "<key>": { ... }` exactly as inside a
 *   collection, so no re-indenting pass and no per-entry key line is needed. A run of them between two old entries
 *   is then one slice of that text, up to the line of the group's next entry (found by searching for its key);
 * - where the runs of old and new entries begin and end is worked out once, comparing the keys' first digits as
 *   numbers (src/dump/key-order.ts), since the file's entry count comes before its entries;
 * - the pieces go to a sink (the temp file's buffer) as they come: no text of the whole file is ever built.
 */

/** Entries of a canonical dump file kept as text: the file's text, and where the collection's entries are. */
export interface BaseCollection {
  readonly text: string;
  readonly scanned: ScannedCollection;
}

/** How many entries one JSON.stringify call writes: enough to make the call's cost vanish, few enough to stay small. */
const GROUP_SIZE = 1024;
/** The wrapper's text before the first entry's line. */
const GROUP_HEAD = '{\n  "a": {\n    "b": {\n'.length;
/** The wrapper's text after the last entry. */
const GROUP_TAIL = '\n    }\n  }\n}'.length;
/** An entry's closing line, and what separates it from the next entry's line. */
const ENTRY_END = '\n      }';
const ENTRY_GAP = ',\n'.length;
/** What comes before and after the key on an entry's line. */
const KEY_LINE_HEAD = '\n      "';
const KEY_LINE_TAIL = '": {';
/**
 * Keys this long or shorter may be array indices, which an object lists first, in numeric order: such an entry is
 * written by a call of its own. Persisted keys (32 characters) never are.
 */
const MAX_INDEX_LENGTH = 10;

function checkJson(value: unknown): void {
  // What JSON.stringify would leave out of an object instead of writing (a parse would then miss the field).
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError('a dump entry holds a value that is not JSON');
  }
}

/** The fields of an entry as the file holds them: alphabetical, and only the dump's (no recording time). */
function fileFields(entry: DumpEntry): Record<string, unknown> {
  checkJson(entry.params);
  checkJson(entry.result);
  const fields: Record<string, unknown> = {};
  if (entry.expiresAt !== undefined) fields.expiresAt = entry.expiresAt;
  fields.namespace = entry.namespace;
  fields.params = entry.params;
  fields.promise = Boolean(entry.promise);
  fields.result = entry.result;
  if (entry.tags !== undefined) fields.tags = entry.tags;
  return fields;
}

/** Writes a collection's new entries (sorted by key) in runs; see the comment above. */
class EntryWriter {
  readonly #keys: readonly string[];
  readonly #values: readonly DumpEntry[];
  /** The text of the group being written, and the entries it holds: those before `#groupEnd` not yet written. */
  #group = '';
  #groupEnd = 0;
  /** Where the group's next entry line starts. */
  #at = 0;

  constructor(keys: readonly string[], values: readonly DumpEntry[]) {
    this.#keys = keys;
    this.#values = values;
  }

  /**
   * Writes the entries `from` to `to` (exclusive), separated by `,\n`, and preceded by one when `separated`; must be
   * called in order. A separator is taken with the text that follows it where that text has one before it.
   */
  writeRun(sink: TextSink, from: number, to: number, separated: boolean): void {
    const keys = this.#keys;
    const values = this.#values;
    let index = from;
    while (index < to) {
      const separator = index > from || separated;
      const entry = values[index]!;
      if (entry instanceof CanonicalEntry) {
        const key = keys[index]!;
        // A persisted key needs no escaping: written as it is, without a JSON.stringify call.
        const line = isPersistedKey(key) ? `      "${key}": ` : `      ${JSON.stringify(key)}: `;
        sink.write(separator ? `,\n${line}` : line);
        sink.write(entry.text);
        index++;
        continue;
      }
      if (index >= this.#groupEnd) this.#stringifyGroup(index);
      // The group's entries up to `to` (or a CanonicalEntry) follow each other in its text, up to the next one's line.
      const start = this.#at;
      const first = index;
      while (index < to && index < this.#groupEnd && !(values[index] instanceof CanonicalEntry)) index++;
      let next = index;
      while (next < this.#groupEnd && values[next] instanceof CanonicalEntry) next++;
      let end: number;
      if (next < this.#groupEnd) {
        const line = this.#lineOf(keys[next]!, start);
        end = line < 0 ? this.#endOfEntries(start, index - first) : line - ENTRY_GAP;
      } else {
        end = this.#group.length - GROUP_TAIL;
      }
      this.#at = end + ENTRY_GAP;
      // Every entry of the group but the first has its separator before it.
      if (separator && start === GROUP_HEAD) sink.write(',\n');
      sink.write(this.#group.slice(separator && start > GROUP_HEAD ? start - ENTRY_GAP : start, end));
    }
  }

  /**
   * Where the line `      "<key>": {` starts in the group's text, searching from `from`: found by the key itself,
   * which the search skips through (far faster than reading every line); -1 for a key written with escapes. Only an
   * entry's line starts with 6 spaces and a quote: everything inside an entry is indented further.
   */
  #lineOf(key: string, from: number): number {
    const group = this.#group;
    for (let at = group.indexOf(key, from); at >= 0; at = group.indexOf(key, at + 1)) {
      if (comesAt(group, at - KEY_LINE_HEAD.length, KEY_LINE_HEAD) && comesAt(group, at + key.length, KEY_LINE_TAIL)) {
        return at - KEY_LINE_HEAD.length + 1;
      }
    }
    return -1;
  }

  /** Where the `count`th entry from `from` on ends: each ends at its first line `      }`. */
  #endOfEntries(from: number, count: number): number {
    let end = from;
    for (let entry = 0; entry < count; entry++) end = this.#group.indexOf(ENTRY_END, end) + ENTRY_END.length;
    return end;
  }

  /** Writes the text of the next group: up to GROUP_SIZE entries from `first` on, CanonicalEntry ones left out. */
  #stringifyGroup(first: number): void {
    const keys = this.#keys;
    const values = this.#values;
    // No prototype: a key `__proto__` is then an entry like any other.
    const group: Record<string, unknown> = Object.create(null);
    let count = 0;
    let index = first;
    for (; index < values.length && count < GROUP_SIZE; index++) {
      const entry = values[index]!;
      if (entry instanceof CanonicalEntry) continue;
      const key = keys[index]!;
      if (key.length <= MAX_INDEX_LENGTH && count > 0) break;
      group[key] = fileFields(entry);
      count++;
      if (key.length <= MAX_INDEX_LENGTH) {
        index++;
        break;
      }
    }
    this.#group = JSON.stringify({ a: { b: group } }, null, 2);
    this.#groupEnd = index;
    this.#at = GROUP_HEAD;
  }
}

/**
 * The text of a collection's entries, sorted by key and separated by `,\n` (no enclosing braces): `entries`, and the
 * entries of `base` whose keys `entries` does not have. Its size is known before it is written (a dump file starts
 * with its number of entries), and writing it builds no text of the whole collection.
 *
 * @example
 * ```ts
 * const collection = new CollectionText(entries, base);
 * console.log(collection.size);
 * collection.write(sink);
 * ```
 */
export class CollectionText {
  /** How many entries it writes. */
  readonly size: number;
  readonly #keys: string[];
  readonly #values: DumpEntry[];
  readonly #base: BaseCollection | undefined;
  /**
   * The merge of the two key orders, worked out once (the size must be known first): runs, in order. A run of
   * `entries` is two numbers, its length (positive) and how many base entries it replaces; a run of base entries is
   * its length, negated.
   */
  readonly #runs: number[] = [];

  constructor(entries: DumpCollection | undefined, base?: BaseCollection | undefined) {
    const sorted = entries === undefined ? { keys: [], values: [] } : entriesByKey(entries);
    const { keys } = sorted;
    this.#keys = keys;
    this.#values = sorted.values;
    this.#base = base;
    const baseKeys = base?.scanned.keys ?? [];
    const prefixes = sorted.prefixes;
    const basePrefixes = base?.scanned.prefixes;
    // Keys are told apart by their prefixes (numbers) where both sides have them, else compared as strings.
    const order = (index: number, baseIndex: number): number => {
      if (prefixes !== undefined && basePrefixes !== undefined) {
        const difference = prefixes[index]! - basePrefixes[baseIndex]!;
        if (difference !== 0) return difference;
      }
      const key = keys[index]!;
      const baseKey = baseKeys[baseIndex]!;
      return key === baseKey ? 0 : key < baseKey ? -1 : 1;
    };
    let index = 0;
    let baseIndex = 0;
    let replaced = 0;
    while (index < keys.length || baseIndex < baseKeys.length) {
      if (index < keys.length && (baseIndex >= baseKeys.length || order(index, baseIndex) <= 0)) {
        // Entries of `entries` up to the next key of the base; each replaces the base's entry of the same key.
        const first = index;
        const firstReplaced = replaced;
        do {
          if (baseIndex < baseKeys.length && order(index, baseIndex) === 0) {
            baseIndex++;
            replaced++;
          }
          index++;
        } while (index < keys.length && (baseIndex >= baseKeys.length || order(index, baseIndex) <= 0));
        this.#runs.push(index - first, replaced - firstReplaced);
      } else {
        // The base's entries up to the next key of `entries`.
        const first = baseIndex;
        baseIndex++;
        while (baseIndex < baseKeys.length && (index >= keys.length || order(index, baseIndex) > 0)) baseIndex++;
        this.#runs.push(first - baseIndex);
      }
    }
    this.size = keys.length + baseKeys.length - replaced;
  }

  /** Writes the text to `sink`. */
  write(sink: TextSink): void {
    const writer = new EntryWriter(this.#keys, this.#values);
    const runs = this.#runs;
    let index = 0;
    let baseIndex = 0;
    for (let run = 0; run < runs.length; run++) {
      const separated = run > 0;
      const length = runs[run]!;
      if (length > 0) {
        writer.writeRun(sink, index, index + length, separated);
        index += length;
        run++;
        baseIndex += runs[run]!;
      } else {
        // Base entries, copied as one slice of the old file with the separators between them (and the one before
        // them, which the old file has unless they begin the collection).
        const { text, scanned } = this.#base!;
        const end = baseIndex - length;
        let start = scanned.starts[baseIndex]!;
        if (separated && baseIndex === 0) sink.write(',\n');
        else if (separated) start -= ENTRY_GAP;
        sink.write(text.slice(start, scanned.ends[end - 1]));
        baseIndex = end;
      }
    }
  }
}
