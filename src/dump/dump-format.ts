import type { Json } from '../codec.js';
import { DumpError } from '../errors.js';
import { isPersistedKey } from '../key.js';
import type { StoredEntry } from '../stores/store.js';

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

function invalid(
  file: string,
  message: string,
  reason: 'corrupt' | 'unsupported-version' = 'corrupt',
  cause?: unknown,
): never {
  throw new DumpError(file, reason, `${file} is not a valid dump file: ${message}`, { cause });
}

function parseEntry(raw: unknown, path: string, file: string): DumpEntry {
  if (!isObject(raw)) invalid(file, `${path} must be an object`);
  const { namespace, params, result, promise, expiresAt, tags } = raw;
  if (typeof namespace !== 'string' || namespace === '') invalid(file, `${path}.namespace must be a non-empty string`);
  if (!Object.hasOwn(raw, 'params')) invalid(file, `${path}.params is missing`);
  if (!Object.hasOwn(raw, 'result')) invalid(file, `${path}.result is missing`);
  if (typeof promise !== 'boolean') invalid(file, `${path}.promise must be a boolean`);
  if (expiresAt !== undefined && typeof expiresAt !== 'number') invalid(file, `${path}.expiresAt must be a number`);
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) {
    invalid(file, `${path}.tags must be an array of strings`);
  }
  return {
    namespace,
    params: params as Json,
    result: result as Json,
    promise,
    ...(expiresAt === undefined ? {} : { expiresAt }),
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
    const collectionPath = at('collections', name);
    if (!isObject(rawCollection)) invalid(file, `${collectionPath} must be an object`);
    const collection: DumpCollection = new Map();
    for (const key of Object.keys(rawCollection)) {
      const entryPath = at(collectionPath, key);
      if (!isPersistedKey(key)) invalid(file, `${entryPath}: keys must be 32 lowercase hex characters`);
      collection.set(key, parseEntry(rawCollection[key], entryPath, file));
    }
    collections.set(name, collection);
  }
  return { version: DUMP_VERSION, collections };
}

// ---------------------------------------------------------------------------------------------------------------
// Serializing

function sortedKeys<T>(map: ReadonlyMap<string, T>): string[] {
  return [...map.keys()].sort();
}

/** JSON text of a value, indented to sit at `indent` inside the enclosing structure. */
function jsonAt(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError('a dump entry holds a value that is not JSON');
  // JSON strings cannot contain a raw line feed, so every line feed is structure and can take the indent.
  return text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
}

function serializeEntry(entry: DumpEntry, indent: string): string {
  const inner = `${indent}  `;
  const fields: string[] = [];
  // Alphabetical, matching the sorted keys of the rest of the file.
  if (entry.expiresAt !== undefined) fields.push(`${inner}"expiresAt": ${jsonAt(entry.expiresAt, inner)}`);
  fields.push(`${inner}"namespace": ${JSON.stringify(entry.namespace)}`);
  fields.push(`${inner}"params": ${jsonAt(entry.params, inner)}`);
  fields.push(`${inner}"promise": ${entry.promise ? 'true' : 'false'}`);
  fields.push(`${inner}"result": ${jsonAt(entry.result, inner)}`);
  if (entry.tags !== undefined) fields.push(`${inner}"tags": ${jsonAt(entry.tags, inner)}`);
  return `{\n${fields.join(',\n')}\n${indent}}`;
}

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
  const parts: string[] = [];
  let size = 0;
  for (const name of sortedKeys(dump.collections)) {
    const collection = dump.collections.get(name)!;
    if (collection.size === 0) continue;
    size += collection.size;
    const entries = sortedKeys(collection).map(
      (key) => `      ${JSON.stringify(key)}: ${serializeEntry(collection.get(key)!, '      ')}`,
    );
    parts.push(`    ${JSON.stringify(name)}: {\n${entries.join(',\n')}\n    }`);
  }
  const collections = parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n  }`;
  return `{\n  "cache_size": ${size},\n  "collections": ${collections},\n  "version": ${DUMP_VERSION}\n}\n`;
}
