import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { DumpError, type DumpErrorReason } from '../errors.js';
import { AtomicFileWriter, TEMP_FILE_MARK } from '../internal/atomic-write.js';
import { syncCreatedFolders } from '../internal/sync-folders.js';
import { warn } from '../internal/warn.js';
import { type ScannedDump, scanCanonicalDump, scannedCollections } from './canonical-scan.js';
import {
  countEntries,
  DUMP_VERSION,
  type DumpCollections,
  type DumpContents,
  mergeCollections,
  parseDump,
  writeMergedDump,
} from './dump-format.js';
import { acquireDumpLock, type DumpLock } from './dump-lock.js';

/*
 * Reading and merging the dump file. A merge takes the lock, reads the file, folds in side files left by processes
 * that could not get the lock, adds the caller's entries (which win for a shared key), and writes a temp file in the
 * same folder (every byte checked, fsynced) that is renamed over the old file. Readers therefore always see a whole
 * old file or a whole new one.
 *
 * Nothing is dropped silently: a lock that stays busy beyond the budget, or an existing file that cannot be read,
 * sends the entries to a side file `<file>.<pid>-<thread>-<random>.pending` (same format) that the next merge folds
 * in; a file that cannot be parsed is renamed to `<file>.corrupt-<ms>` before a new one is started. Every failure
 * is one warning.
 *
 * Merging 100k entries into a 100k-entry file has to be fast (it runs while the process exits). An existing file in
 * the exact form memotape writes is not parsed: it is checked byte for byte (src/dump/canonical-scan.ts) and the
 * entries the merge keeps are copied as text (src/dump/collection-text.ts). Any other valid file is parsed and
 * rewritten in that form.
 */

/** Suffix of side files: entries waiting for the next merge. */
export const SIDE_FILE_SUFFIX = '.pending';

/** Options of {@link mergeIntoDumpFile}. */
export interface MergeOptions {
  /**
   * How long to keep retrying while another process holds the lock, in ms; then the entries go to a side file.
   * @default 3000
   */
  readonly lockBudgetMs?: number | undefined;
  /**
   * Age after which a lock is taken to be abandoned by a killed process, in ms (at least 2000).
   * @default 10000
   */
  readonly staleLockMs?: number | undefined;
  /**
   * Age after which a temp file left by a killed writer is removed, in ms.
   * @default 600000
   */
  readonly tempFileMaxAgeMs?: number | undefined;
}

/**
 * What a merge did. `written`: the dump file holds the entries. `pending`: they wait in `sideFile` for the next
 * merge. `failed`: they could not be saved anywhere (see `error`). `empty`: there was nothing to write.
 */
export interface MergeOutcome {
  readonly status: 'written' | 'pending' | 'failed' | 'empty';
  /** The dump file. */
  readonly file: string;
  /** How many entries this merge was asked to save. */
  readonly entries: number;
  /** The side file holding the entries, when `status` is `pending`. */
  readonly sideFile?: string | undefined;
  /** Why the entries are not in the dump file, when `status` is `pending` or `failed`. */
  readonly error?: DumpError | undefined;
}

const DEFAULT_LOCK_BUDGET_MS = 3000;
const DEFAULT_STALE_LOCK_MS = 10_000;
const DEFAULT_TEMP_FILE_MAX_AGE_MS = 10 * 60_000;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readDumpText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const reason: DumpErrorReason = code === 'EISDIR' ? 'corrupt' : 'unreadable';
    throw new DumpError(file, reason, `cannot read the dump file ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Reads and parses a dump file. Answers `undefined` when the file does not exist. Throws a {@link DumpError}:
 * `unreadable` for an I/O error, `corrupt` for text that is not a dump (or a folder where the file should be),
 * `unsupported-version` for another format version.
 *
 * @example
 * ```ts
 * const dump = readDumpFile('/repo/test/fixtures/memoizer_cache.json');
 * console.log(dump?.collections.get('null')?.size ?? 0);
 * ```
 */
export function readDumpFile(file: string): DumpContents | undefined {
  const text = readDumpText(file);
  return text === undefined ? undefined : parseDump(text, file);
}

/**
 * Reads a dump file as {@link readDumpFile} does (same answers, same errors), but when its text is exactly what
 * memotape writes, its entries are indexed rather than parsed: each is decoded on first use, and a merge writes it
 * back as the text it was read as (see src/dump/canonical-scan.ts). For the merge and for preloading, which decode
 * few of a big file's entries. The collections it answers are the caller's own (never shared).
 *
 * @example
 * ```ts
 * const entry = loadDumpFile(file)?.collections.get('null')?.get(key); // decoded here, on first use
 * ```
 */
export function loadDumpFile(file: string): DumpContents | undefined {
  const text = readDumpText(file);
  if (text === undefined) return undefined;
  const scanned = scanCanonicalDump(text);
  return scanned === undefined
    ? parseDump(text, file)
    : { version: DUMP_VERSION, collections: scannedCollections(scanned) };
}

function sideFilePath(file: string): string {
  return `${file}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}${SIDE_FILE_SUFFIX}`;
}

/** Side files of `file` left by earlier merges, oldest first (so that later ones win for a shared key). */
export function listSideFiles(file: string): string[] {
  const directory = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const found: { file: string; mtime: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(SIDE_FILE_SUFFIX)) continue;
    const sideFile = path.join(directory, name);
    try {
      found.push({ file: sideFile, mtime: statSync(sideFile).mtimeMs });
    } catch {
      // Folded and removed by another process meanwhile.
    }
  }
  found.sort((a, b) => a.mtime - b.mtime || (a.file < b.file ? -1 : 1));
  return found.map((entry) => entry.file);
}

/** Renames an unparsable file to `<file>.corrupt-<ms>` and warns; answers the new name. */
function moveAside(file: string, error: DumpError): string {
  let target = `${file}.corrupt-${Date.now()}`;
  try {
    statSync(target);
    target += `-${process.pid}-${randomBytes(3).toString('hex')}`;
  } catch {
    // The usual case: the name is free.
  }
  renameSync(file, target);
  warn(
    'MEMOTAPE_DUMP_CORRUPT',
    `${error.message}. It was moved to ${target} and left for you to inspect; the dump starts afresh.`,
    `corrupt:${file}`,
  );
  return target;
}

function failed(file: string, entries: number, reason: DumpErrorReason, cause: unknown): MergeOutcome {
  const error =
    cause instanceof DumpError
      ? cause
      : new DumpError(file, reason, `cannot write the dump file ${file}: ${errorMessage(cause)}`, { cause });
  warn(
    'MEMOTAPE_DUMP_FAILED',
    `${error.message}. ${entries} entries of this process were not saved.`,
    `dump-failed:${file}:${reason}`,
  );
  return { status: 'failed', file, entries, error };
}

/** Writes the entries to a side file for the next merge to fold in, and warns. */
function deferToSideFile(
  file: string,
  collections: DumpCollections,
  entries: number,
  reason: DumpErrorReason,
  why: string,
): MergeOutcome {
  const sideFile = sideFilePath(file);
  try {
    const writer = AtomicFileWriter.open(sideFile, { durable: true });
    try {
      writeMergedDump(writer, collections);
      writer.commit();
    } finally {
      writer.discard();
    }
  } catch (error) {
    return failed(file, entries, 'unwritable', error);
  }
  const error = new DumpError(file, reason, `${why}; ${entries} entries were written to ${sideFile} instead`);
  warn(
    'MEMOTAPE_DUMP_DEFERRED',
    `${error.message}, and the next dump will merge them.`,
    `dump-deferred:${file}:${reason}`,
  );
  return { status: 'pending', file, entries, sideFile, error };
}

/** Folds side files into `merged`; answers the ones folded (to remove once the merged file is in place). */
function foldSideFiles(file: string, merged: DumpCollections): string[] {
  const folded: string[] = [];
  for (const sideFile of listSideFiles(file)) {
    try {
      const contents = loadDumpFile(sideFile);
      if (contents === undefined) continue;
      mergeCollections(merged, contents.collections);
      folded.push(sideFile);
    } catch (error) {
      if (error instanceof DumpError && error.reason !== 'unreadable') {
        try {
          moveAside(sideFile, error);
        } catch {
          // Left where it is; the next merge tries again.
        }
      }
    }
  }
  return folded;
}

/** Removes temp files of `file` (and its side files) that a killed writer left behind. */
function removeAbandonedTempFiles(file: string, maxAgeMs: number): void {
  const directory = path.dirname(file);
  const prefix = `${TEMP_FILE_MARK}${path.basename(file)}.`;
  const cutoff = Date.now() - maxAgeMs;
  try {
    for (const name of readdirSync(directory)) {
      if (!name.startsWith(prefix)) continue;
      const temp = path.join(directory, name);
      if (statSync(temp).mtimeMs <= cutoff) rmSync(temp, { force: true });
    }
  } catch {
    // Cleaning up is a courtesy: never a reason to fail a dump.
  }
}

function mergeUnderLock(
  file: string,
  collections: DumpCollections,
  entries: number,
  lock: DumpLock,
  options: MergeOptions,
): MergeOutcome {
  // The existing file: kept as text when it is canonical (its entries are copied, never decoded), else parsed.
  let base: ScannedDump | undefined;
  let merged: DumpCollections = new Map();
  try {
    const text = readDumpText(file);
    if (text !== undefined) {
      base = scanCanonicalDump(text);
      if (base === undefined) merged = parseDump(text, file).collections;
    }
  } catch (error) {
    if (!(error instanceof DumpError)) throw error;
    const dumpError = error;
    if (dumpError.reason === 'unreadable') {
      return deferToSideFile(file, collections, entries, 'unreadable', `${dumpError.message}, so it was left as it is`);
    }
    try {
      moveAside(file, dumpError);
    } catch (renameError) {
      return deferToSideFile(
        file,
        collections,
        entries,
        dumpError.reason,
        `${dumpError.message}, and it could not be moved aside (${errorMessage(renameError)})`,
      );
    }
  }
  // Later layers win: the existing file, side files (oldest first), this process's entries.
  const folded = foldSideFiles(file, merged);
  if (merged.size === 0) merged = collections;
  else mergeCollections(merged, collections);
  // Written as it is serialized: the text of the whole file is never built (see src/dump/collection-text.ts).
  const writer = AtomicFileWriter.open(file, { durable: true });
  try {
    writeMergedDump(writer, merged, base);
    writer.close();
    if (!lock.stillHeld()) {
      writer.discard();
      return deferToSideFile(
        file,
        collections,
        entries,
        'locked',
        `the lock of ${file} was taken over during the merge`,
      );
    }
    writer.commit();
  } catch (error) {
    return failed(file, entries, 'unwritable', error);
  } finally {
    writer.discard();
  }
  for (const sideFile of folded) rmSync(sideFile, { force: true });
  removeAbandonedTempFiles(file, options.tempFileMaxAgeMs ?? DEFAULT_TEMP_FILE_MAX_AGE_MS);
  return { status: 'written', file, entries };
}

/**
 * Merges `collections` into the dump file under its lock; the given entries win over the file's for a shared key.
 * Synchronous (it runs in exit handlers) and never throws: the outcome says what happened, and each failure is one
 * warning. Nothing is written when `collections` holds no entries.
 *
 * @example
 * ```ts
 * const outcome = mergeIntoDumpFile(file, new Map([['null', new Map([[key, entry]])]]));
 * if (outcome.status === 'pending') console.log('saved beside the dump:', outcome.sideFile);
 * ```
 */
export function mergeIntoDumpFile(
  file: string,
  collections: DumpCollections,
  options: MergeOptions = {},
): MergeOutcome {
  const entries = countEntries(collections);
  if (entries === 0) return { status: 'empty', file, entries };
  let lock: DumpLock | undefined;
  try {
    const folder = path.dirname(file);
    const firstCreated = mkdirSync(folder, { recursive: true });
    // The file is fsynced, and so is its folder after the rename: a folder made here needs its own entry fsynced too.
    if (firstCreated !== undefined) syncCreatedFolders(folder, firstCreated);
    lock = acquireDumpLock(file, {
      budgetMs: options.lockBudgetMs ?? DEFAULT_LOCK_BUDGET_MS,
      staleMs: options.staleLockMs ?? DEFAULT_STALE_LOCK_MS,
    });
  } catch (error) {
    return failed(file, entries, 'unwritable', error);
  }
  if (lock === undefined) {
    const budget = options.lockBudgetMs ?? DEFAULT_LOCK_BUDGET_MS;
    return deferToSideFile(file, collections, entries, 'locked', `the lock of ${file} stayed busy for ${budget} ms`);
  }
  try {
    return mergeUnderLock(file, collections, entries, lock, options);
  } catch (error) {
    return failed(file, entries, 'unwritable', error);
  } finally {
    lock.release();
  }
}
