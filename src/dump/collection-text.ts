import { isPersistedKey } from '../key.js';
import { CanonicalEntry } from './canonical-entry.js';
import type { ScannedCollection } from './canonical-scan.js';
import type { DumpCollection, DumpEntry } from './dump-format.js';

/*
 * The text of a collection's entries in a dump file, in the exact form the format defines (see serializeDump): each
 * entry `      "<key>": { ... }` with its fields in alphabetical order, 2-space indent, entries sorted by key and
 * separated by `,\n`. What makes it fast for 100k entries:
 *
 * - a merge keeps the existing file's entries as text: runs of them between two new keys are copied as one slice of
 *   the old file (the scanner checked that this is exactly what would be written for them), and so are entries
 *   read from other canonical files (CanonicalEntry);
 * - the other entries are written by ONE JSON.stringify call: held in an array three levels down in a wrapper, they
 *   come out indented exactly as inside a collection, so no re-indenting pass is needed. Each entry's text is then
 *   cut out of the result: it ends at the first line `      }`, since everything inside it is indented further;
 * - the pieces are mostly slices of a few big strings (little to allocate), collected in an array and joined once
 *   by the caller.
 */

/** Entries of a canonical dump file kept as text: the file's text, and where the collection's entries are. */
export interface BaseCollection {
  readonly text: string;
  readonly scanned: ScannedCollection;
}

/** Where the first entry's `{` is in the wrapper's text. */
const BATCH_HEAD = '{\n  "collections": {\n    "collection": [\n      '.length;
/** An entry's closing line in the wrapper's text, and what separates it from the next entry's `{`. */
const ENTRY_END = '\n      }';
const ENTRY_GAP = ',\n      '.length;

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

/** Writes entries given as objects, with one JSON.stringify for all of them; see the comment above. */
class EntryWriter {
  readonly #batchText: string;
  #batchAt = BATCH_HEAD;

  /** The entries that are not CanonicalEntry are written here, in this order. */
  constructor(entries: readonly DumpEntry[]) {
    // An array rather than an object keyed by key: JSON.stringify goes through it faster, and never reorders it.
    const batch: Record<string, unknown>[] = [];
    for (const entry of entries) if (!(entry instanceof CanonicalEntry)) batch.push(fileFields(entry));
    this.#batchText = batch.length === 0 ? '' : JSON.stringify({ collections: { collection: batch } }, null, 2);
  }

  /** Appends `      "<key>": { ... }`; must be called in the order of the constructor's entries. */
  append(parts: string[], key: string, entry: DumpEntry): void {
    let text: string;
    if (entry instanceof CanonicalEntry) {
      text = entry.text;
    } else {
      // The batch's next entry: from its `{` to the end of its closing line.
      const end = this.#batchText.indexOf(ENTRY_END, this.#batchAt) + ENTRY_END.length;
      text = this.#batchText.slice(this.#batchAt, end);
      this.#batchAt = end + ENTRY_GAP;
    }
    // A persisted key needs no escaping: written as it is, without a JSON.stringify call per entry.
    if (isPersistedKey(key)) parts.push('      "', key, '": ', text);
    else parts.push('      ', JSON.stringify(key), ': ', text);
  }
}

/**
 * Appends to `parts` the text of a collection's entries, sorted by key and separated by `,\n` (no enclosing
 * braces): `entries`, and the entries of `base` whose keys `entries` does not have. Answers how many it wrote.
 */
export function appendCollectionText(
  parts: string[],
  entries: DumpCollection | undefined,
  base?: BaseCollection | undefined,
): number {
  const keys = entries === undefined ? [] : [...entries.keys()].sort();
  const values = keys.map((key) => entries!.get(key)!);
  const writer = new EntryWriter(values);
  const baseKeys = base?.scanned.keys ?? [];
  let baseIndex = 0;
  let index = 0;
  let count = 0;
  while (baseIndex < baseKeys.length || index < keys.length) {
    if (count > 0) parts.push(',\n');
    const key = keys[index];
    if (key !== undefined && (baseIndex >= baseKeys.length || key <= baseKeys[baseIndex]!)) {
      // An entry of `entries`: it replaces the base's entry of the same key.
      if (key === baseKeys[baseIndex]) baseIndex++;
      writer.append(parts, key, values[index]!);
      index++;
      count++;
    } else {
      // The base's entries up to the next key of `entries`, copied as one slice (separators included).
      const first = baseIndex;
      baseIndex++;
      while (baseIndex < baseKeys.length && (key === undefined || baseKeys[baseIndex]! < key)) baseIndex++;
      const { text, scanned } = base!;
      parts.push(text.slice(scanned.starts[first], scanned.ends[baseIndex - 1]));
      count += baseIndex - first;
    }
  }
  return count;
}
