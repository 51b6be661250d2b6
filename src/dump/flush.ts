import path from 'node:path';
import { getSettings } from '../config.js';
import { DumpError } from '../errors.js';
import { warn } from '../internal/warn.js';
import { type MergeOptions, type MergeOutcome, mergeIntoDumpFile } from './dump-file.js';
import { DUMP_FILE_NAME, type DumpCollection, type DumpCollections } from './dump-format.js';
import { currentParticipants } from './participants.js';

/**
 * What {@link flushDump} did. `status` is `written` (the dump file holds the entries), `pending` (the lock stayed
 * busy: they wait in `sideFile`, and the next dump merges them), `failed` (they could not be saved; `error` says
 * why) or `empty` (no memoizer held entries, and nothing was written).
 *
 * @example
 * ```ts
 * const { status, file, entries } = flushDump();
 * console.log(`${status}: ${entries} entries to ${file}`);
 * ```
 */
export type FlushDumpResult = MergeOutcome;

/** `<cacheDir>/memoizer_cache.json`. */
export function dumpFilePath(): string {
  return path.join(getSettings().cacheDir, DUMP_FILE_NAME);
}

function collectionIn(collections: DumpCollections, name: string): DumpCollection {
  let collection = collections.get(name);
  if (collection === undefined) {
    collection = new Map();
    collections.set(name, collection);
  }
  return collection;
}

/**
 * The entries this process would dump now, by collection: every participating memoizer's preloaded entries (not
 * expired), then its memory entries, which win for a shared key.
 */
export function collectDumpCollections(): DumpCollections {
  const collections: DumpCollections = new Map();
  const participants = [...currentParticipants()];
  for (const { collection, hooks, preloaded: preloadedNow } of participants) {
    const preloaded = preloadedNow();
    if (preloaded === undefined) continue;
    const now = hooks.clock();
    const target = collectionIn(collections, collection);
    for (const [key, entry] of preloaded) {
      if (entry.expiresAt === undefined || entry.expiresAt > now) target.set(key, entry);
    }
  }
  for (const { collection, hooks } of participants) {
    try {
      const target = collectionIn(collections, collection);
      // A stored entry is a dump entry as it is: the file only takes the dump's fields of it.
      for (const { key, entry } of hooks.exportEntries()) target.set(key, entry);
    } catch (error) {
      warn(
        'MEMOTAPE_DUMP_FAILED',
        `entries of collection "${collection}" were left out of the dump: ${(error as Error).message}`,
        `collect:${collection}`,
      );
    }
  }
  return collections;
}

/** Collects and merges this process's entries into the dump file; never throws. */
export function writeDump(options: MergeOptions = {}): FlushDumpResult {
  let file = '<cache dir>';
  try {
    file = dumpFilePath();
    return mergeIntoDumpFile(file, collectDumpCollections(), options);
  } catch (cause) {
    const error = new DumpError(file, 'unwritable', `the dump failed: ${(cause as Error)?.message ?? cause}`, {
      cause,
    });
    warn('MEMOTAPE_DUMP_FAILED', error.message);
    return { status: 'failed', file, entries: 0, error };
  }
}

/**
 * Merges every memoizer's entries into `<cacheDir>/memoizer_cache.json` now, synchronously, as the exit dump does
 * (under the file lock; this process's entries win for a shared key). For long-running processes that want to save
 * their recordings without exiting; it works whether or not dumping on exit is on. It never throws: a failure is
 * one warning and a `failed` status.
 *
 * @example
 * ```ts
 * import { flushDump } from 'memotape';
 * setInterval(() => flushDump(), 10 * 60_000).unref();
 * ```
 */
export function flushDump(): FlushDumpResult {
  return writeDump();
}
