import { CanonicalEntry } from './canonical-entry.js';
import {
  comesAt,
  comma,
  expectLiteral,
  NOT_CANONICAL,
  newLine,
  notCanonical,
  number,
  string,
  value,
} from './canonical-json.js';
import type { DumpCollection, DumpCollections } from './dump-format.js';
import { keyPrefix } from './key-order.js';

/*
 * Recognizes a dump file in the exact form serializeDump writes, and indexes its entries without decoding them.
 *
 * scanCanonicalDump(text) answers the positions of every entry, or `undefined`; then the caller parses the text
 * the ordinary way (parseDump), which accepts any valid dump and says what is wrong with an invalid one. It only
 * accepts a text when
 *
 * - it is valid JSON and a valid dump: every check of parseDump (a non-empty namespace, `params` and `result`
 *   present, a boolean `promise`, a numeric `expiresAt`, `tags` strings, 32-hex keys, version 1, a `cache_size`);
 * - each entry's text is, byte for byte, what serializeDump writes for the entry parseDump reads from it (fields in
 *   alphabetical order, no unknown field, values as src/dump/canonical-json.ts checks them), and
 * - collections and keys are sorted and unique,
 *
 * so that copying an entry's text is the same as parsing it and serializing it again.
 */

/** The entries of one collection of a canonical dump file, in key order. */
export interface ScannedCollection {
  /** The 32-hex keys, ascending. */
  readonly keys: readonly string[];
  /** Where each entry's line (`      "<key>": {`) starts in the text. */
  readonly starts: readonly number[];
  /** Where each entry ends in the text: after its closing `}`. */
  readonly ends: readonly number[];
  /** The number the first digits of each key make (see src/dump/key-order.ts), to compare keys cheaply. */
  readonly prefixes: readonly number[];
}

/** A canonical dump file's text and where its entries are. */
export interface ScannedDump {
  readonly text: string;
  /** Collections by name, in the file's (sorted) order. Empty ones are kept, as parseDump keeps them. */
  readonly collections: ReadonlyMap<string, ScannedCollection>;
}

/** From the start of an entry's line to its `{`: 6 spaces, the quoted 32-hex key, `: `. */
export const ENTRY_TEXT_OFFSET = 42;

const LOWER_A = 0x61;
const LOWER_F = 0x66;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const QUOTE = 0x22;

/** Reads `"<32 lowercase hex>"` at `at`. */
function persistedKey(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE || text.charCodeAt(at + 33) !== QUOTE) notCanonical();
  for (let position = at + 1; position < at + 33; position++) {
    const code = text.charCodeAt(position);
    if (!((code >= DIGIT_0 && code <= DIGIT_9) || (code >= LOWER_A && code <= LOWER_F))) notCanonical();
  }
  return at + 34;
}

/** Reads one entry's object, as serializeDump writes it inside a collection. */
function entry(text: string, at: number): number {
  let position = expectLiteral(text, at, '{\n        "');
  if (comesAt(text, position, 'expiresAt": ')) {
    position = expectLiteral(text, number(text, position + 12), ',\n        "');
  }
  position = expectLiteral(text, position, 'namespace": ');
  const namespaceEnd = string(text, position);
  if (namespaceEnd - position === 2) notCanonical();
  position = value(text, expectLiteral(text, namespaceEnd, ',\n        "params": '), 4);
  position = expectLiteral(text, position, ',\n        "promise": ');
  position = comesAt(text, position, 'true') ? position + 4 : expectLiteral(text, position, 'false');
  position = value(text, expectLiteral(text, position, ',\n        "result": '), 4);
  if (comesAt(text, position, ',\n        "tags": [')) {
    position += 19;
    if (text.charCodeAt(position) === 0x5d) {
      position++;
    } else {
      for (;;) {
        position = string(text, newLine(text, position, 10));
        const next = comma(text, position);
        if (next < 0) break;
        position = next;
      }
      position = expectLiteral(text, newLine(text, position, 8), ']');
    }
  }
  return expectLiteral(text, newLine(text, position, 6), '}');
}

/** A {@link ScannedCollection} while it is being read. */
interface CollectionIndex {
  keys: string[];
  starts: number[];
  ends: number[];
  prefixes: number[];
}

function collection(text: string, at: number, scanned: CollectionIndex): number {
  let position = expectLiteral(text, at, '{');
  if (text.charCodeAt(position) === 0x7d) return position + 1;
  let previous = '';
  for (;;) {
    const start = position;
    const keyStart = newLine(text, position, 6);
    const keyEnd = persistedKey(text, keyStart);
    const key = text.slice(keyStart + 1, keyEnd - 1);
    // Sorted and unique, as serializeDump writes them: so no key is given twice either.
    if (key <= previous) notCanonical();
    previous = key;
    position = entry(text, expectLiteral(text, keyEnd, ': '));
    scanned.keys.push(key);
    scanned.prefixes.push(keyPrefix(text, keyStart + 1));
    // The line starts after the line feed.
    scanned.starts.push(start + 1);
    scanned.ends.push(position);
    const next = comma(text, position);
    if (next < 0) break;
    position = next;
  }
  return expectLiteral(text, newLine(text, position, 4), '}');
}

function collections(text: string, at: number, into: Map<string, ScannedCollection>): number {
  let position = expectLiteral(text, at, '{');
  if (text.charCodeAt(position) === 0x7d) return position + 1;
  let previous: string | undefined;
  for (;;) {
    const nameStart = newLine(text, position, 4);
    const nameEnd = string(text, nameStart);
    const name = JSON.parse(text.slice(nameStart, nameEnd)) as string;
    if (previous !== undefined && name <= previous) notCanonical();
    previous = name;
    const scanned: CollectionIndex = { keys: [], starts: [], ends: [], prefixes: [] };
    position = collection(text, expectLiteral(text, nameEnd, ': '), scanned);
    into.set(name, scanned);
    const next = comma(text, position);
    if (next < 0) break;
    position = next;
  }
  return expectLiteral(text, newLine(text, position, 2), '}');
}

/**
 * Where the entries of a dump file's text are, when the text is exactly in the form serializeDump writes (a UTF-8
 * byte order mark aside); else `undefined`, and the caller parses the text with parseDump. When it answers, parseDump
 * would read the same entries from the text, and serializeDump would write each of them as the same text.
 *
 * @example
 * ```ts
 * const scanned = scanCanonicalDump(text);
 * const collections = scanned === undefined ? parseDump(text, file).collections : scannedCollections(scanned);
 * ```
 */
export function scanCanonicalDump(text: string): ScannedDump | undefined {
  const found = new Map<string, ScannedCollection>();
  try {
    let position = expectLiteral(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, '{\n  "cache_size": ');
    const sizeEnd = number(text, position);
    const cacheSize = Number(text.slice(position, sizeEnd));
    if (!(Number.isSafeInteger(cacheSize) && cacheSize >= 0)) notCanonical();
    position = collections(text, expectLiteral(text, sizeEnd, ',\n  "collections": '), found);
    if (expectLiteral(text, position, ',\n  "version": 1\n}\n') !== text.length) notCanonical();
  } catch (error) {
    // Not canonical, or (should the exit dump run on an already deep stack) out of stack: the ordinary parser decides.
    if (error === NOT_CANONICAL || error instanceof RangeError) return undefined;
    throw error;
  }
  return { text, collections: found };
}

/** The entries of a scanned collection, each decoded on first use (a {@link CanonicalEntry}). */
function scannedEntries(scanned: ScannedDump, name: string): DumpCollection {
  const entries: DumpCollection = new Map();
  const found = scanned.collections.get(name);
  if (found === undefined) return entries;
  const { keys, starts, ends } = found;
  for (let index = 0; index < keys.length; index++) {
    entries.set(keys[index]!, new CanonicalEntry(scanned.text, starts[index]! + ENTRY_TEXT_OFFSET, ends[index]!));
  }
  return entries;
}

/** Every collection of a scanned dump, as parseDump would answer them (entries decoded on first use). */
export function scannedCollections(scanned: ScannedDump): DumpCollections {
  const all: DumpCollections = new Map();
  for (const name of scanned.collections.keys()) all.set(name, scannedEntries(scanned, name));
  return all;
}
