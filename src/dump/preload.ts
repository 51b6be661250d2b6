import { statSync } from 'node:fs';
import { warn } from '../internal/warn.js';
import type { Store, StoredEntry } from '../stores/store.js';
import { loadDumpFile } from './dump-file.js';
import { type DumpCollection, type DumpContents, toStoredEntry } from './dump-format.js';
import type { DumpHooks } from './participants.js';

/*
 * Preloading: when a memoizer is created with `preloadFrom` (or MEMOTAPE_DUMP_FILE), its collection is read from
 * the dump file at once (the file may be deleted afterwards, as in the seed) and served by a read-only tier that the
 * memoizer consults on a memory miss. A hit fills memory, and an async function's hit returns a promise.
 *
 * A file in the form memotape writes is checked whole but only indexed (loadDumpFile): an entry is decoded when a
 * lookup first hits it, so preloading a big file costs little more than reading it.
 */

/** The last file parsed, so that many memoizers preloading from one file parse it once. */
let lastRead: { file: string; identity: string; contents: DumpContents } | undefined;

function fileIdentity(file: string): string | undefined {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function readCached(file: string): DumpContents | undefined {
  const identity = fileIdentity(file);
  if (identity !== undefined && lastRead?.file === file && lastRead.identity === identity) return lastRead.contents;
  const contents = loadDumpFile(file);
  lastRead = contents === undefined || identity === undefined ? undefined : { file, identity, contents };
  return contents;
}

/**
 * A read-only {@link Store} over preloaded entries; `createdAt` is the time they were loaded. The entries are
 * shared with other memoizers of the same collection, so `clear()` forgets them for this store only.
 */
export class PreloadStore implements Store {
  #entries: DumpCollection;
  readonly #loadedAt: number;

  constructor(entries: DumpCollection, loadedAt: number) {
    this.#entries = entries;
    this.#loadedAt = loadedAt;
  }

  /** The entries this store still serves (and its memoizer dumps again). */
  get entries(): DumpCollection {
    return this.#entries;
  }

  get(key: string): StoredEntry | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : toStoredEntry(entry, this.#loadedAt);
  }

  set(): never {
    throw new TypeError('The preload tier is read-only');
  }

  delete(): boolean {
    return false;
  }

  clear(): void {
    this.#entries = new Map();
  }
}

/**
 * Preloads `collection` from the dump file `file` into a memoizer by adding a read-only tier. Answers the tier's
 * store, or `undefined` when there is nothing to preload. A file that is missing, unreadable or corrupt is one
 * warning naming the path (replays that rely on it then throw `CacheMissError`); it never throws.
 */
export function preloadCollection(collection: string, hooks: DumpHooks, file: string): PreloadStore | undefined {
  let contents: DumpContents | undefined;
  try {
    contents = readCached(file);
  } catch (error) {
    warn(
      'MEMOTAPE_PRELOAD_FAILED',
      `cannot preload from ${file}: ${(error as Error).message}. Replays that rely on it will throw CacheMissError; re-record the file.`,
      `preload:${file}`,
    );
    return undefined;
  }
  if (contents === undefined) {
    warn(
      'MEMOTAPE_PRELOAD_FAILED',
      `cannot preload from ${file}: the file does not exist. Replays that rely on it will throw CacheMissError; record it first (MEMOTAPE_DUMP=1).`,
      `preload:${file}`,
    );
    return undefined;
  }
  const entries = contents.collections.get(collection);
  if (entries === undefined || entries.size === 0) return undefined;
  const store = new PreloadStore(entries, hooks.clock());
  hooks.addTier({ name: 'preload', store, readOnly: true });
  return store;
}
