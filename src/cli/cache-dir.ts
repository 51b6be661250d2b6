import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeDiskEntry } from '../stores/disk-entry-format.js';
import { type DiskFile, isMissing, scanStore } from '../stores/disk-eviction.js';
import { DISK_LAYOUT_DIR, isTempName } from '../stores/disk-layout.js';
import type { StoredEntry } from '../stores/store.js';

/*
 * Reading a PersistentMemoizer cache dir for the CLI: `<cacheDir>/disk-v1/<subDir or _default>/<2 hex>/<32 hex>.json`.
 * Listing and verifying go through the disk store's own functions (scanStore, decodeDiskEntry), so the CLI judges an
 * entry exactly as a memoizer reading it would.
 */

/** One store folder of a cache dir: a `subDir` (`_default` for memoizers without one). */
export interface StoreFolder {
  readonly subDir: string;
  readonly directory: string;
}

/** An entry file with what reading it gave: the entry, or why it is damaged. */
export interface DiskRecord {
  readonly subDir: string;
  readonly file: DiskFile;
  readonly state: { readonly ok: true; readonly entry: StoredEntry } | { readonly ok: false; readonly reason: string };
}

/** Everything found in one store folder. */
export interface FolderScan {
  readonly folder: StoreFolder;
  readonly records: DiskRecord[];
  /** Entry paths holding a folder instead of a file. */
  readonly misplaced: string[];
  /** Stale temp files removed in passing (only when the scan was allowed to remove them). */
  readonly tempFilesRemoved: number;
  /** Problems listing the folder (a shard that cannot be read). */
  readonly errors: unknown[];
}

/** The `disk-v1` folder of a cache dir. */
export function layoutDirectory(cacheDir: string): string {
  return path.join(cacheDir, DISK_LAYOUT_DIR);
}

/**
 * The store folders of a cache dir, sorted by name; only `subDir` when it is given. Temp names (a folder being
 * cleared by another process) are not stores.
 */
export function listStoreFolders(cacheDir: string, subDir?: string): StoreFolder[] {
  const layout = layoutDirectory(cacheDir);
  let entries: Dirent[];
  try {
    entries = readdirSync(layout, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory() && !isTempName(entry.name) && !entry.name.startsWith('.'))
    .filter((entry) => subDir === undefined || entry.name === subDir)
    .map((entry) => ({ subDir: entry.name, directory: path.join(layout, entry.name) }))
    .sort((a, b) => (a.subDir < b.subDir ? -1 : a.subDir > b.subDir ? 1 : 0));
}

/**
 * Lists a store folder and reads every entry file, checking its header, checksum, version and key. Temp files last
 * modified before `staleBefore` are removed on the way; the default removes nothing, so a read-only command never
 * changes the folder.
 */
export function readStoreFolder(folder: StoreFolder, staleBefore = Number.NEGATIVE_INFINITY): FolderScan {
  const scan = scanStore(folder.directory, staleBefore);
  const records: DiskRecord[] = [];
  const errors = [...scan.errors];
  for (const file of scan.files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file.file);
    } catch (error) {
      // Removed by a memoizer or another clean-up since the listing: not there any more.
      if (isMissing(error)) continue;
      records.push({ subDir: folder.subDir, file, state: { ok: false, reason: `unreadable: ${errorMessage(error)}` } });
      continue;
    }
    const decoded = decodeDiskEntry(file.key, bytes);
    records.push({ subDir: folder.subDir, file, state: decoded });
  }
  records.sort((a, b) => (a.file.key < b.file.key ? -1 : a.file.key > b.file.key ? 1 : 0));
  return { folder, records, misplaced: scan.misplaced, tempFilesRemoved: scan.tempFilesRemoved, errors };
}

/** The message of an error of any kind. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
