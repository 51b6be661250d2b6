import { lstatSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isEntryFileName, isShardName, isTempName } from './disk-layout.js';

/** An entry file found by a scan. */
export interface DiskFile {
  readonly key: string;
  readonly file: string;
  readonly size: number;
  /** The last-used time: the file's modification time, which uses move forward (see the disk store). */
  readonly mtimeMs: number;
  readonly ino: number;
}

/** What one full listing of a store folder found. */
export interface ScanResult {
  readonly files: DiskFile[];
  /** The total size of `files`. */
  readonly bytes: number;
  /** Entry paths holding something other than a file (a folder): damaged entries for the store to set aside. */
  readonly misplaced: string[];
  /** Temp files older than the threshold, removed in passing. */
  readonly tempFilesRemoved: number;
  /** Problems met on the way (a shard that cannot be listed); the scan carries on without that part. */
  readonly errors: unknown[];
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Whether an fs error means "nothing there" (the path, or a folder on it, does not exist or is not a folder). */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The names in `directory`, or none when it is missing; other failures are collected in `errors`. */
export function listDirectory(directory: string, errors: unknown[]): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if (!isMissing(error)) errors.push(error);
    return [];
  }
}

/** Removes `file` (a temp file or a cleared folder on its way out) if it was last modified before `staleBefore`. */
function removeIfStale(file: string, staleBefore: number, errors: unknown[]): boolean {
  try {
    if (lstatSync(file).mtimeMs >= staleBefore) return false;
    rmSync(file, { recursive: true, force: true });
    return true;
  } catch (error) {
    if (!isMissing(error)) errors.push(error);
    return false;
  }
}

/**
 * Lists every entry file of a store folder with its size and last-used time (one `lstat` each), and removes temp
 * files that were last modified before `staleBefore` (real time, ms): those a killed writer left behind. Temp files
 * of live writers are younger and are left alone.
 */
export function scanStore(directory: string, staleBefore: number): ScanResult {
  const files: DiskFile[] = [];
  const misplaced: string[] = [];
  const errors: unknown[] = [];
  let bytes = 0;
  let tempFilesRemoved = 0;
  for (const shard of listDirectory(directory, errors)) {
    if (!isShardName(shard)) continue;
    const shardPath = path.join(directory, shard);
    for (const name of listDirectory(shardPath, errors)) {
      const file = path.join(shardPath, name);
      if (isTempName(name)) {
        if (removeIfStale(file, staleBefore, errors)) tempFilesRemoved++;
        continue;
      }
      if (!isEntryFileName(name)) continue;
      try {
        const stats = lstatSync(file);
        if (!stats.isFile()) {
          misplaced.push(file);
          continue;
        }
        files.push({ key: name.slice(0, 32), file, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino });
        bytes += stats.size;
      } catch (error) {
        // Removed by another process since the listing: not there any more.
        if (!isMissing(error)) errors.push(error);
      }
    }
  }
  return { files, bytes, misplaced, tempFilesRemoved, errors };
}

/**
 * Removes stale temp names directly inside `directory` (the layout folder, where `cacheClear` moves a store folder
 * before deleting it). Answers how many were removed.
 */
export function sweepStaleTempNames(directory: string, staleBefore: number, errors: unknown[]): number {
  let removed = 0;
  for (const name of listDirectory(directory, errors)) {
    if (isTempName(name) && removeIfStale(path.join(directory, name), staleBefore, errors)) removed++;
  }
  return removed;
}

/**
 * Removes `file` unless it changed since it was listed (another process rewrote or used it), so an eviction never
 * deletes a fresher entry than the one it chose. Answers `'removed'`, `'gone'` (already removed) or `'changed'`.
 */
export function removeIfUnchanged(file: DiskFile): 'removed' | 'gone' | 'changed' {
  try {
    const stats = lstatSync(file.file);
    if (stats.ino !== file.ino || stats.mtimeMs !== file.mtimeMs) return 'changed';
    unlinkSync(file.file);
    return 'removed';
  } catch (error) {
    if (isMissing(error)) return 'gone';
    throw error;
  }
}

/** The result of {@link evictLeastRecentlyUsed}. */
export interface EvictionResult {
  readonly evicted: number;
  /** The bytes and entry count left, as far as this process can tell. */
  readonly bytes: number;
  readonly entries: number;
}

/**
 * Removes the least recently used of `files` (oldest modification time first) until their total is at most
 * `targetBytes`. Files that changed since the listing are kept; their new size is unknown, so they still count with
 * the listed one. A file that cannot be removed is skipped and its error pushed to `errors`.
 */
export function evictLeastRecentlyUsed(
  files: readonly DiskFile[],
  targetBytes: number,
  errors: unknown[],
): EvictionResult {
  const ordered = [...files].sort((a, b) => a.mtimeMs - b.mtimeMs);
  let bytes = 0;
  for (const file of ordered) bytes += file.size;
  let entries = ordered.length;
  let evicted = 0;
  for (const file of ordered) {
    if (bytes <= targetBytes) break;
    let outcome: 'removed' | 'gone' | 'changed';
    try {
      outcome = removeIfUnchanged(file);
    } catch (error) {
      errors.push(error);
      continue;
    }
    if (outcome === 'changed') continue;
    bytes -= file.size;
    entries--;
    if (outcome === 'removed') evicted++;
  }
  return { evicted, bytes, entries };
}
