import { closeSync, fstatSync, futimesSync, openSync, readFileSync, type Stats, statSync, utimesSync } from 'node:fs';
import { type DamageReason, decodeDiskEntry } from './disk-entry-format.js';
import { isMissing } from './disk-eviction.js';
import { readAll } from './disk-files.js';
import type { StoredEntry } from './store.js';

/** What reading an entry file reports to its store, which counts, warns and cleans up. */
export interface EntryReadReporter {
  /** A damaged file: remove it if it is still the file described by `stats` (a folder has no `stats`). */
  damaged(file: string, reason: DamageReason, stats: Stats | undefined): void;
  /** An expired entry: remove it if it is still the file described by `stats`. */
  expired(file: string, stats: Stats): void;
  readFailed(file: string, error: unknown): void;
  /** Moving the file's last-used time failed (the entry was still read). */
  touchFailed(file: string, error: unknown): void;
}

/** How a store reads its entries. */
export interface EntryReadOptions {
  readonly clock: () => number;
  /** A read moves the file's modification time (its last use) forward at most once per this many ms. */
  readonly touchInterval: number;
  /** Whether this read counts as a use (a `get`), as opposed to an inspection (a `prune`). */
  readonly touch: boolean;
}

/**
 * Reads one entry file: the entry, or `undefined` when it is missing, damaged or expired. Never throws.
 *
 * The common case, an intact and unexpired entry, costs one `readFileSync` with an encoding, which Node serves in a
 * single call into its C++ side; the `open`/`fstat`/`read`/`close` sequence done from JavaScript costs about a third
 * more per hit. Anything else is read again through a descriptor, which keeps the file's identity, so that removing
 * a damaged or expired entry can never remove a fresh one written meanwhile.
 *
 * @example
 * ```ts
 * readEntryFile(entryPath(directory, key), key, { clock: Date.now, touchInterval: 60_000, touch: true }, reporter);
 * ```
 */
export function readEntryFile(
  file: string,
  key: string,
  options: EntryReadOptions,
  reporter: EntryReadReporter,
): StoredEntry | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return isMissing(error) ? undefined : readThroughDescriptor(file, key, options, reporter);
  }
  const decoded = decodeDiskEntry(key, text);
  if (!decoded.ok) return readThroughDescriptor(file, key, options, reporter);
  const { entry, writtenAt } = decoded;
  const now = options.clock();
  if (entry.expiresAt !== undefined && entry.expiresAt <= now)
    return readThroughDescriptor(file, key, options, reporter);
  // A file's modification time is never older than its write time, so a file written less than `touchInterval` ago
  // needs neither a touch nor a `stat` to find that out.
  if (options.touch && (writtenAt === undefined || now - writtenAt >= options.touchInterval)) {
    touchByPath(file, now, options.touchInterval, reporter);
  }
  return entry;
}

function readThroughDescriptor(
  file: string,
  key: string,
  options: EntryReadOptions,
  reporter: EntryReadReporter,
): StoredEntry | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') reporter.damaged(file, 'not a file', undefined);
    else if (!isMissing(error)) reporter.readFailed(file, error);
    return undefined;
  }
  let stats: Stats;
  let bytes: Buffer;
  try {
    stats = fstatSync(descriptor);
    bytes = stats.isFile() ? readAll(descriptor, stats.size) : Buffer.alloc(0);
    if (stats.isFile() && options.touch) touchByDescriptor(descriptor, stats, file, options, reporter);
  } catch (error) {
    closeSync(descriptor);
    reporter.readFailed(file, error);
    return undefined;
  }
  closeSync(descriptor);
  if (!stats.isFile()) {
    reporter.damaged(file, 'not a file', undefined);
    return undefined;
  }
  const decoded = decodeDiskEntry(key, bytes);
  if (!decoded.ok) {
    reporter.damaged(file, decoded.reason, stats);
    return undefined;
  }
  const { expiresAt } = decoded.entry;
  if (expiresAt !== undefined && expiresAt <= options.clock()) {
    reporter.expired(file, stats);
    return undefined;
  }
  return decoded.entry;
}

/** Moves the file's last-used time to now, unless it was moved less than `touchInterval` ago. */
function touchByDescriptor(
  descriptor: number,
  stats: Stats,
  file: string,
  options: EntryReadOptions,
  reporter: EntryReadReporter,
): void {
  const now = options.clock();
  if (now - stats.mtimeMs < options.touchInterval) return;
  try {
    futimesSync(descriptor, now / 1000, now / 1000);
  } catch (error) {
    reporter.touchFailed(file, error);
  }
}

/** {@link touchByDescriptor} for a file read without a descriptor. */
function touchByPath(file: string, now: number, touchInterval: number, reporter: EntryReadReporter): void {
  try {
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined || now - stats.mtimeMs < touchInterval) return;
    utimesSync(file, now / 1000, now / 1000);
  } catch (error) {
    if (!isMissing(error)) reporter.touchFailed(file, error);
  }
}
