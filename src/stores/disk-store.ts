import { randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { TEMP_FILE_MARK, writeFileAtomicSync } from '../internal/atomic-write.js';
import { syncCreatedFolders } from '../internal/sync-folders.js';
import { warn } from '../internal/warn.js';
import { isPersistedKey } from '../key.js';
import {
  describeValue,
  validateBooleanOption,
  validateFunctionOption,
  validateMaxEntries,
  validateOptionsObject,
  validatePathOption,
  validateTtl,
} from '../options.js';
import { type DamageReason, encodeDiskEntry, unwritableField } from './disk-entry-format.js';
import { type EntryReadOptions, type EntryReadReporter, readEntryFile } from './disk-entry-read.js';
import { type DiskFile, evictLeastRecentlyUsed, isMissing, scanStore, sweepStaleTempNames } from './disk-eviction.js';
import { isDirectory, sizeOf } from './disk-files.js';
import { entryPath, sweepMarkerPath } from './disk-layout.js';
import type { DiskPruneResult, DiskStoreOptions, DiskStoreStats } from './disk-store-options.js';
import { deleteTaggedFiles } from './disk-tags.js';
import type { Store, StoredEntry } from './store.js';

export type { DiskPruneResult, DiskStoreOptions, DiskStoreStats } from './disk-store-options.js';

type Counters = { -readonly [K in keyof DiskStoreStats]: number };

const DISK_STORE_OPTION_NAMES: ReadonlySet<string> = new Set([
  'directory',
  'maxBytes',
  'durable',
  'clock',
  'touchInterval',
  'staleTempAge',
]);
const EVICTION_TARGET = 0.9;
const SWEEP_INTERVAL = 60 * 60 * 1000;

/**
 * A {@link Store} with one file per entry, for the disk tier of a `PersistentMemoizer` or on its own. Every method
 * is synchronous: a read is one `readFileSync`, a checksum and a `JSON.parse`.
 *
 * - Writes are atomic: a uniquely named temp file in the entry's folder, every byte written, then a rename. Readers
 *   in any process see a complete entry or none; two writers of one key leave one complete entry.
 * - A damaged entry (empty, truncated, garbage, bad checksum, wrong version or key, a folder) reads as a miss and is
 *   removed (a folder is set aside as `<name>.damaged-*`), with one warning per folder.
 * - An expired entry (`expiresAt` passed by `clock`) reads as a miss and is removed.
 * - Last use is the file's modification time, moved forward by a read at most once per `touchInterval`.
 *
 * @example
 * ```ts
 * import { DiskStore } from 'memotape';
 * const store = new DiskStore({ directory: '/tmp/my-cache' });
 * store.set(key, entry);
 * store.get(key); // the entry, or undefined
 * ```
 */
export class DiskStore implements Store<StoredEntry> {
  /** The folder that holds the entries. */
  readonly directory: string;
  /** The most bytes of entry files (`Infinity`: no limit). */
  readonly maxBytes: number;
  readonly #durable: boolean;
  readonly #clock: () => number;
  /** A real clock already stamps files with the right time; an injected one needs an explicit `utimes`. */
  readonly #realClock: boolean;
  /** How `get` reads an entry (a use: it may move the file's last-used time), and how `prune` inspects one. */
  readonly #useRead: EntryReadOptions;
  readonly #inspectRead: EntryReadOptions;
  readonly #reporter: EntryReadReporter = {
    damaged: (file, reason, stats) => this.#damaged(file, reason, stats),
    expired: (file, stats) => {
      if (this.#removeIfSame(file, stats)) this.#counters.expirations++;
    },
    readFailed: (file, error) => this.#readFailed(file, error),
    touchFailed: (file, error) => this.#cleanupFailed(file, error),
  };
  readonly #staleTempAge: number;
  readonly #counters: Counters = {
    hits: 0,
    misses: 0,
    writes: 0,
    failedWrites: 0,
    evictions: 0,
    expirations: 0,
    damaged: 0,
    errors: 0,
    tempFilesRemoved: 0,
  };
  /** Bytes and entries of the folder: from the last full scan, plus this process's changes since. */
  #usage: { bytes: number; entries: number } | undefined;

  constructor(options: DiskStoreOptions) {
    validateOptionsObject(options, DISK_STORE_OPTION_NAMES, 'DiskStore');
    validatePathOption(options.directory, 'directory');
    if (options.directory === undefined) throw new TypeError('Expected `directory` to be a non-empty path');
    validateBooleanOption(options.durable, 'durable');
    validateFunctionOption(options.clock, 'clock');
    this.directory = path.resolve(options.directory);
    this.maxBytes = validateMaxEntries(options.maxBytes, 'maxBytes');
    this.#durable = options.durable ?? false;
    this.#clock = options.clock ?? Date.now;
    this.#realClock = this.#clock === Date.now;
    const touchInterval = validateTtl(options.touchInterval, 'touchInterval') ?? 60_000;
    this.#useRead = { clock: this.#clock, touchInterval, touch: true };
    this.#inspectRead = { clock: this.#clock, touchInterval, touch: false };
    this.#staleTempAge = validateTtl(options.staleTempAge, 'staleTempAge') ?? 600_000;
  }

  /** The entry stored under `key`, or `undefined` when it is missing, expired or damaged. Never throws. */
  get(key: string): StoredEntry | undefined {
    if (!isPersistedKey(key)) return undefined;
    const entry = readEntryFile(entryPath(this.directory, key), key, this.#useRead, this.#reporter);
    if (entry === undefined) this.#counters.misses++;
    else this.#counters.hits++;
    return entry;
  }

  /**
   * Writes `entry` under `key` atomically, replacing any previous entry. Throws when the folder cannot be written
   * (the memoizers turn that into one warning and keep the result in memory).
   */
  set(key: string, entry: StoredEntry): void {
    if (!isPersistedKey(key)) throw new TypeError(`Expected a 32-hex key, got ${describeValue(key)}`);
    const unwritable = unwritableField(entry);
    if (unwritable !== undefined) {
      throw new TypeError(`Expected an entry that JSON can hold: \`${unwritable}\` would not read back`);
    }
    const now = this.#clock();
    const bytes = encodeDiskEntry(key, entry, now);
    const file = entryPath(this.directory, key);
    if (bytes.length > this.maxBytes) {
      // Kept, it would evict everything else and then itself; the older entry of this key is stale, so it goes too.
      this.#counters.evictions++;
      this.delete(key);
      return;
    }
    if (this.#usage === undefined && this.maxBytes !== Number.POSITIVE_INFINITY) this.#rescan();
    const previousSize = this.#usage === undefined ? 0 : sizeOf(file);
    try {
      this.#write(file, bytes, now);
    } catch (error) {
      this.#counters.failedWrites++;
      throw error;
    }
    this.#counters.writes++;
    if (this.#usage === undefined) return;
    this.#usage.bytes += bytes.length - Math.max(previousSize, 0);
    if (previousSize < 0) this.#usage.entries++;
    if (this.#usage.bytes > this.maxBytes) this.#evict(this.#rescan());
  }

  /** Removes the entry of `key`; answers whether there was one. */
  delete(key: string): boolean {
    if (!isPersistedKey(key)) return false;
    const file = entryPath(this.directory, key);
    const size = this.#usage === undefined ? 0 : sizeOf(file);
    try {
      unlinkSync(file);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    if (this.#usage !== undefined && size >= 0) {
      this.#usage.bytes -= size;
      this.#usage.entries--;
    }
    return true;
  }

  /**
   * Removes every entry stored with one of `tags`; answers how many. Reads the start of every entry file (see
   * disk-tags.ts): its cost grows with the folder, and reads and writes pay nothing for it. Never throws.
   */
  deleteTagged(tags: readonly string[]): number {
    const deletion = deleteTaggedFiles(this.directory, new Set(tags));
    if (this.#usage !== undefined) {
      this.#usage.bytes -= deletion.bytes;
      this.#usage.entries -= deletion.removed;
    }
    this.#reportErrors(deletion.errors);
    return deletion.removed;
  }

  /**
   * Removes every entry. The folder is first renamed aside (one atomic step, so other processes see all entries or
   * none), then deleted; a process killed meanwhile leaves a temp folder that a later sweep removes.
   */
  clear(): void {
    const trash = path.join(
      path.dirname(this.directory),
      `${TEMP_FILE_MARK}clear-${path.basename(this.directory)}-${process.pid}-${randomBytes(6).toString('hex')}`,
    );
    try {
      renameSync(this.directory, trash);
    } catch (error) {
      if (isMissing(error)) {
        this.#usage = { bytes: 0, entries: 0 };
        return;
      }
      // Renaming can be refused (a folder in use on Windows): delete in place instead.
      rmSync(this.directory, { recursive: true, force: true });
      this.#usage = { bytes: 0, entries: 0 };
      return;
    }
    this.#usage = { bytes: 0, entries: 0 };
    rmSync(trash, { recursive: true, force: true });
  }

  /**
   * Reads every entry now: removes expired and damaged ones and stale temp files, then enforces `maxBytes`.
   * Costs a read of every file; lookups already remove what they meet.
   */
  prune(): DiskPruneResult {
    const before = { ...this.#counters };
    const { files, bytes } = this.#scan();
    const live: DiskFile[] = [];
    let liveBytes = bytes;
    for (const file of files) {
      if (readEntryFile(file.file, file.key, this.#inspectRead, this.#reporter) === undefined) liveBytes -= file.size;
      else live.push(file);
    }
    this.#usage = { bytes: liveBytes, entries: live.length };
    this.#sweepLayoutFolder();
    if (liveBytes > this.maxBytes) this.#evict(live);
    return {
      expired: this.#counters.expirations - before.expirations,
      damaged: this.#counters.damaged - before.damaged,
      evicted: this.#counters.evictions - before.evictions,
      tempFilesRemoved: this.#counters.tempFilesRemoved - before.tempFilesRemoved,
    };
  }

  /**
   * Bytes and entry files in the folder. The first call lists the folder; later ones add this process's writes and
   * removals to that (other processes' changes show after the next `prune()` or eviction).
   */
  usage(): { readonly bytes: number; readonly entries: number } {
    if (this.#usage === undefined) this.#rescan();
    return { ...this.#usage! };
  }

  /**
   * Removes temp files left by killed writers, at most once per hour per folder across all processes (a marker
   * file's modification time records the last sweep). Cheap when not due: one `stat`. Never throws.
   */
  sweepIfDue(): void {
    const marker = sweepMarkerPath(this.directory);
    try {
      if (Date.now() - statSync(marker).mtimeMs < SWEEP_INTERVAL) return;
    } catch (error) {
      // No folder yet, or the cache dir is not a folder: nothing to sweep (a write will report the problem).
      if (!isMissing(error) || !isDirectory(this.directory)) return;
    }
    try {
      writeFileSync(marker, '');
    } catch {
      return;
    }
    const staleBefore = Date.now() - this.#staleTempAge;
    const scan = scanStore(this.directory, staleBefore);
    const errors = [...scan.errors];
    this.#counters.tempFilesRemoved += scan.tempFilesRemoved;
    this.#counters.tempFilesRemoved += sweepStaleTempNames(path.dirname(this.directory), staleBefore, errors);
    this.#reportErrors(errors);
  }

  /** Counts since the store was created. */
  stats(): DiskStoreStats {
    return { ...this.#counters };
  }

  #write(file: string, bytes: Buffer, now: number): void {
    const options = { durable: this.#durable };
    try {
      writeFileAtomicSync(file, bytes, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The shard folder does not exist yet (or was just cleared by another process): create it and try once more.
      const shard = path.dirname(file);
      const firstCreated = mkdirSync(shard, { recursive: true });
      if (this.#durable && firstCreated !== undefined) syncCreatedFolders(shard, firstCreated);
      writeFileAtomicSync(file, bytes, options);
    }
    if (!this.#realClock) {
      try {
        utimesSync(file, now / 1000, now / 1000);
      } catch {
        // Replaced or removed by another process meanwhile: its own time is as good.
      }
    }
  }

  /** Lists the folder (sweeping stale temp files and setting aside folders found in place of entries). */
  #scan(): { files: DiskFile[]; bytes: number } {
    const result = scanStore(this.directory, Date.now() - this.#staleTempAge);
    this.#counters.tempFilesRemoved += result.tempFilesRemoved;
    this.#reportErrors(result.errors);
    for (const file of result.misplaced) this.#damaged(file, 'not a file', undefined);
    return result;
  }

  #rescan(): DiskFile[] {
    const { files, bytes } = this.#scan();
    this.#usage = { bytes, entries: files.length };
    return files;
  }

  #evict(files: readonly DiskFile[]): void {
    const errors: unknown[] = [];
    const result = evictLeastRecentlyUsed(files, this.maxBytes * EVICTION_TARGET, errors);
    this.#counters.evictions += result.evicted;
    this.#usage = { bytes: result.bytes, entries: result.entries };
    this.#reportErrors(errors);
  }

  #sweepLayoutFolder(): void {
    const errors: unknown[] = [];
    const staleBefore = Date.now() - this.#staleTempAge;
    this.#counters.tempFilesRemoved += sweepStaleTempNames(path.dirname(this.directory), staleBefore, errors);
    this.#reportErrors(errors);
  }

  /** Removes a damaged entry so the call runs again and rewrites it; a folder is set aside rather than deleted. */
  #damaged(file: string, reason: DamageReason, stats: Stats | undefined): void {
    this.#counters.damaged++;
    warn(
      'MEMOTAPE_DISK_DAMAGED_ENTRY',
      `a damaged disk entry (${reason}) was ${reason === 'not a file' ? 'set aside' : 'removed'}: ${file}. The call runs again.`,
      `disk-damaged:${this.directory}`,
    );
    try {
      if (stats === undefined) renameSync(file, `${file}.damaged-${process.pid}-${randomBytes(4).toString('hex')}`);
      else this.#removeIfSame(file, stats);
    } catch (error) {
      if (!isMissing(error)) this.#cleanupFailed(file, error);
    }
  }

  /** Unlinks `file` only if it is still the file that was read, so a fresh entry written meanwhile survives. */
  #removeIfSame(file: string, stats: Stats): boolean {
    try {
      const current = lstatSync(file);
      if (current.ino !== stats.ino || current.dev !== stats.dev) return false;
      unlinkSync(file);
      if (this.#usage !== undefined) {
        this.#usage.bytes -= stats.size;
        this.#usage.entries--;
      }
      return true;
    } catch (error) {
      if (!isMissing(error)) this.#cleanupFailed(file, error);
      return false;
    }
  }

  #readFailed(file: string, error: unknown): void {
    this.#counters.errors++;
    warn(
      'MEMOTAPE_DISK_READ_FAILED',
      `could not read ${file}; treated as a miss: ${(error as Error).message}`,
      `disk-read:${this.directory}`,
    );
  }

  #cleanupFailed(file: string, error: unknown): void {
    this.#counters.errors++;
    warn(
      'MEMOTAPE_DISK_CLEANUP_FAILED',
      `could not clean up ${file}: ${(error as Error).message}`,
      `disk-cleanup:${this.directory}`,
    );
  }

  #reportErrors(errors: readonly unknown[]): void {
    for (const error of errors) this.#cleanupFailed(this.directory, error);
  }
}
