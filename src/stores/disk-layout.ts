import path from 'node:path';
import { TEMP_FILE_MARK } from '../internal/atomic-write.js';

/**
 * The folder of this on-disk format inside the cache dir. A future format gets its own folder (`disk-v2`) and can
 * live beside this one; nothing ever reads another version's folder.
 */
export const DISK_LAYOUT_DIR = 'disk-v1';

/** The folder of a PersistentMemoizer without a `subDir`. `subDir` cannot start with `.`, so it never meets trash. */
export const DEFAULT_SUB_DIR = '_default';

const SHARD_NAME = /^[0-9a-f]{2}$/;
const ENTRY_FILE_NAME = /^[0-9a-f]{32}\.json$/;

/** The folder of one store: `<cacheDir>/disk-v1/<subDir or _default>`. */
export function storeDirectory(cacheDir: string, subDir: string | undefined): string {
  return path.join(cacheDir, DISK_LAYOUT_DIR, subDir ?? DEFAULT_SUB_DIR);
}

/**
 * The file of one entry: `<directory>/<first 2 hex>/<32 hex>.json`. 256 shard folders keep each folder small enough
 * for fast lookups and listings even with a million entries.
 */
export function entryPath(directory: string, key: string): string {
  return path.join(directory, key.slice(0, 2), `${key}.json`);
}

/** Whether a name inside `directory` is a shard folder (`00` to `ff`). */
export function isShardName(name: string): boolean {
  return SHARD_NAME.test(name);
}

/** Whether a name inside a shard folder is an entry file (`<32 hex>.json`). */
export function isEntryFileName(name: string): boolean {
  return ENTRY_FILE_NAME.test(name);
}

/** Whether a name is a temp file (or cleared folder on its way out) that a killed process may have left behind. */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_FILE_MARK);
}

/** The marker file whose modification time says when stale temp files were last swept from `directory`. */
export function sweepMarkerPath(directory: string): string {
  return path.join(directory, '.memotape-last-sweep');
}
