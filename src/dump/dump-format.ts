import type { Json } from '../codec.js';
import { DumpError } from '../errors.js';
import type { TextSink } from '../internal/atomic-write.js';
import { isPersistedKey } from '../key.js';
import type { StoredEntry } from '../stores/store.js';
import type { ScannedDump } from './canonical-scan.js';
import { CollectionText } from './collection-text.js';

/*
 * The dump file, version 1:
 *
 *   {
 *     "cache_size": <number of entries in all collections>,
 *     "collections": {
 *       "<subKey, or null>": {
 *         "<32-hex key>": { "expiresAt"?, "namespace", "params", "promise", "result", "tags"? }
 *       }
 *     },
 *     "version": 1
 *   }
 *
 * The seed's shape plus what replaying needs: the namespace (the key's owner) and whether the function returned a
 * promise. No recording timestamp is written, so re-recording the same calls gives the same bytes; `expiresAt` only
 * appears for entries recorded with a `ttl`. The structure's keys are sorted; `params` and `result` keep the order
 * of the recorded values, because key order is part of what a replay hands back.
 *
 * Parsed dumps are held in Maps, so collection names such as `__proto__` stay data and loading never touches a
 * prototype (JSON.parse itself makes `__proto__` an own data property; `decodeTagged` keeps it one).
 *
 * Files memotape wrote are read faster than by parseDump (indexed, entries decoded on first use: canonical-scan.ts)
 * and written without re-indenting anything (collection-text.ts); both give what this file's plain definitions give.
 */

/** The format version this memotape writes and reads. */
export const DUMP_VERSION = 1;

/** The dump file's name inside the cache dir (the seed's name). */
export const DUMP_FILE_NAME = 'memoizer_cache.json';

/** One recorded call in a dump file. */
export interface DumpEntry {
  /** The persisted namespace: the wrapper's `name` option, else the function's name. */
  readonly namespace: string;
  /** The encoded params in tagged JSON (what identifies the call; shown for people reading the file). */
  readonly params: Json;
  /** The encoded result in tagged JSON. */
  readonly result: Json;
  /** Whether the function returned a promise (a replay then returns a promise too). */
  readonly promise: boolean;
  /** When the entry expires, in ms since the epoch; only for entries recorded with a `ttl`. */
  readonly expiresAt?: number | undefined;
  /** Tags the entry was stored with. */
  readonly tags?: readonly string[] | undefined;
}

/** The entries of one collection, by 32-hex key. */
export type DumpCollection = Map<string, DumpEntry>;

/** Every collection of a dump, by name (`"null"` for memoizers without a `subKey`). */
export type DumpCollections = Map<string, DumpCollection>;

/** A parsed dump file. */
export interface DumpContents {
  readonly version: typeof DUMP_VERSION;
  readonly collections: DumpCollections;
}

/** The dump form of a stored entry: the recording time is dropped so that fixtures diff cleanly. */
export function toDumpEntry(stored: StoredEntry): DumpEntry {
  return {
    namespace: stored.namespace,
    params: stored.params,
    result: stored.result,
    promise: stored.promise,
    ...(stored.expiresAt === undefined ? {} : { expiresAt: stored.expiresAt }),
    ...(stored.tags === undefined ? {} : { tags: stored.tags }),
  };
}

/** The stored form of a dump entry, for read-through tiers; `createdAt` is when it was loaded. */
export function toStoredEntry(entry: DumpEntry, createdAt: number): StoredEntry {
  return {
    namespace: entry.namespace,
    params: entry.params,
    result: entry.result,
    promise: entry.promise,
    createdAt,
    ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }),
    ...(entry.tags === undefined ? {} : { tags: entry.tags }),
  };
}

/** Number of entries over all collections: the file's `cache_size`. */
export function countEntries(collections: DumpCollections): number {
  let count = 0;
  for (const collection of collections.values()) count += collection.size;
  return count;
}

/**
 * Copies every entry of `source` into `target`, replacing entries with the same collection and key: the caller
 * decides precedence by the order of merges (later merges win).
 */
export function mergeCollections(target: DumpCollections, source: DumpCollections): void {
  for (const [name, entries] of source) {
    let collection = target.get(name);
    if (collection === undefined) {
      collection = new Map();
      target.set(name, collection);
    }
    for (const [key, entry] of entries) collection.set(key, entry);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

/** Where an entry sits, for messages. */
function entryPath(collectionName: string, key: string): string {
  return at(at('collections', collectionName), key);
}

function invalid(
  file: string,
  message: string,
  reason: 'corrupt' | 'unsupported-version' = 'corrupt',
  cause?: unknown,
): never {
  throw new DumpError(file, reason, `${file} is not a valid dump file: ${message}`, { cause });
}

/** What is wrong with an entry, as the end of a message that starts with its path; `undefined` when nothing is. */
function entryProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return ' must be an object';
  const { namespace, promise, expiresAt, tags } = raw;
  if (typeof namespace !== 'string' || namespace === '') return '.namespace must be a non-empty string';
  if (!Object.hasOwn(raw, 'params')) return '.params is missing';
  if (!Object.hasOwn(raw, 'result')) return '.result is missing';
  if (typeof promise !== 'boolean') return '.promise must be a boolean';
  if (expiresAt !== undefined && typeof expiresAt !== 'number') return '.expiresAt must be a number';
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) {
    return '.tags must be an array of strings';
  }
  return undefined;
}

/** The entry of a raw object that {@link entryProblem} found nothing wrong with. */
function parsedEntry(raw: JsonObject): DumpEntry {
  const { namespace, params, result, promise, expiresAt, tags } = raw;
  return {
    namespace: namespace as string,
    params: params as Json,
    result: result as Json,
    promise: promise as boolean,
    ...(expiresAt === undefined ? {} : { expiresAt: expiresAt as number }),
    ...(tags === undefined ? {} : { tags: tags as string[] }),
  };
}

/**
 * Parses the text of a dump file. Throws a {@link DumpError} naming `file` and the offending place: `corrupt` for
 * text that is not JSON or not the dump format, `unsupported-version` for a `version` other than 1. A UTF-8 byte
 * order mark is ignored. Unknown fields are ignored (and not written back).
 *
 * @example
 * ```ts
 * const { collections } = parseDump(readFileSync(file, 'utf8'), file);
 * collections.get('null')?.get('3f1c...')?.result;
 * ```
 */
export function parseDump(text: string, file: string): DumpContents {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    invalid(file, `it is not JSON (${(error as Error).message})`, 'corrupt', error);
  }
  if (!isObject(raw)) invalid(file, 'the top level must be an object');
  if (raw.version !== DUMP_VERSION) {
    invalid(
      file,
      raw.version === undefined
        ? 'it has no "version" field (it was not written by memotape)'
        : `its version ${JSON.stringify(raw.version)} is not supported (this memotape reads version ${DUMP_VERSION})`,
      'unsupported-version',
    );
  }
  const cacheSize = raw.cache_size;
  if (
    cacheSize !== undefined &&
    !(typeof cacheSize === 'number' && Number.isSafeInteger(cacheSize) && cacheSize >= 0)
  ) {
    invalid(file, '"cache_size" must be a non-negative integer');
  }
  if (!isObject(raw.collections)) invalid(file, '"collections" must be an object');
  const collections: DumpCollections = new Map();
  for (const name of Object.keys(raw.collections)) {
    const rawCollection = raw.collections[name];
    if (!isObject(rawCollection)) invalid(file, `${at('collections', name)} must be an object`);
    const collection: DumpCollection = new Map();
    for (const key of Object.keys(rawCollection)) {
      if (!isPersistedKey(key)) {
        invalid(file, `${entryPath(name, key)}: keys must be 32 lowercase hex characters`);
      }
      const rawEntry = rawCollection[key];
      // The path in a message is built only for a message: a valid file of 100k entries does not pay for it.
      const problem = entryProblem(rawEntry);
      if (problem !== undefined) invalid(file, `${entryPath(name, key)}${problem}`);
      collection.set(key, parsedEntry(rawEntry as JsonObject));
    }
    collections.set(name, collection);
  }
  return { version: DUMP_VERSION, collections };
}

// ---------------------------------------------------------------------------------------------------------------
// Serializing

/**
 * The text of a dump file: sorted keys, 2-space indent, LF line ends and a trailing newline, so equal contents give
 * equal bytes and a committed fixture diffs cleanly. Empty collections are left out; `cache_size` is computed.
 *
 * @example
 * ```ts
 * writeFileSync(file, serializeDump({ version: 1, collections }));
 * ```
 */
export function serializeDump(dump: DumpContents): string {
  return serializeMergedDump(dump.collections);
}

/**
 * The text serializeDump writes for `collections` merged over the entries of the canonical file `base` (its
 * entries are kept where `collections` has no entry of the same collection and key), without decoding `base`: its
 * entries are copied as text.
 */
export function serializeMergedDump(collections: DumpCollections, base?: ScannedDump | undefined): string {
  const parts: string[] = [];
  writeMergedDump({ write: (text) => parts.push(text) }, collections, base);
  return parts.join('');
}

/**
 * Writes to `sink`, piece by piece, the text {@link serializeMergedDump} answers: for the merge under the lock, which
 * streams it into the temp file rather than build a text of the whole file. Answers the number of entries written.
 */
export function writeMergedDump(sink: TextSink, collections: DumpCollections, base?: ScannedDump | undefined): number {
  const names = new Set(collections.keys());
  if (base !== undefined) for (const name of base.collections.keys()) names.add(name);
  // `cache_size` comes first, so every collection's size is known before anything is written.
  const texts: [name: string, text: CollectionText][] = [];
  let size = 0;
  for (const name of [...names].sort()) {
    const scanned = base?.collections.get(name);
    const text = new CollectionText(
      collections.get(name),
      scanned === undefined ? undefined : { text: base!.text, scanned },
    );
    // An empty collection is left out.
    if (text.size === 0) continue;
    texts.push([name, text]);
    size += text.size;
  }
  sink.write(`{\n  "cache_size": ${size},\n  "collections": `);
  for (const [index, [name, text]] of texts.entries()) {
    sink.write(`${index === 0 ? '{\n    ' : ',\n    '}${JSON.stringify(name)}: {\n`);
    // The entries, as the format defines them: src/dump/collection-text.ts (the part that has to be fast).
    text.write(sink);
    sink.write('\n    }');
  }
  sink.write(size === 0 ? '{}' : '\n  }');
  sink.write(`,\n  "version": ${DUMP_VERSION}\n}\n`);
  return size;
}
