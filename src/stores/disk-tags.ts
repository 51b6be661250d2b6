import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isMissing, listDirectory } from './disk-eviction.js';
import { readAll } from './disk-files.js';
import { isEntryFileName, isShardName } from './disk-layout.js';

/*
 * Removing entries by tag on disk: a scan of the store folder, reading only the start of each entry file.
 *
 * Why a scan and not an index: an index file shared by every process writing the folder needs a lock on every write
 * and must never miss a line (a missed line is a stale entry served forever); the entry files themselves are always
 * right. Invalidation is rare next to lookups, so it pays the cost: one open and one small read per entry file, and
 * nothing at all on reads and writes. The entry format puts `tags` before `params` and `result` (see
 * disk-entry-format.ts), so the first few kilobytes almost always hold them.
 */

const PREFIX_BYTES = 4096;
const TAGS_MARK = ',"tags":';
const PROMISE_MARK = ',"promise":';

/** What {@link deleteTaggedFiles} removed. */
export interface TaggedDeletion {
  readonly removed: number;
  /** The size of the removed files. */
  readonly bytes: number;
  /** Problems met on the way (a folder that cannot be listed, a file that cannot be removed); the scan goes on. */
  readonly errors: unknown[];
}

/**
 * The tags in an entry file's bytes, or `undefined` when it has none. Inside JSON strings every quote is escaped, so
 * the raw marks below can only be the entry's own keys.
 */
export function tagsInEntryText(text: string): readonly string[] | undefined {
  const end = text.indexOf(PROMISE_MARK);
  if (end < 0) return undefined;
  const start = text.lastIndexOf(TAGS_MARK, end);
  if (start < 0) return undefined;
  try {
    const tags: unknown = JSON.parse(text.slice(start + TAGS_MARK.length, end));
    return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** The tags of one entry file (read from its start, or whole when its tags run past that); `undefined`: none. */
function tagsOfFile(file: string): { tags: readonly string[] | undefined; size: number } {
  const descriptor = openSync(file, 'r');
  try {
    const size = fstatSync(descriptor).size;
    const prefix = Buffer.allocUnsafe(Math.min(size, PREFIX_BYTES));
    const read = readSync(descriptor, prefix, 0, prefix.length, 0);
    let text = prefix.toString('utf8', 0, read);
    if (!text.includes(PROMISE_MARK) && size > read) text = readAll(descriptor, size).toString('utf8');
    return { tags: tagsInEntryText(text), size };
  } finally {
    closeSync(descriptor);
  }
}

/** Removes every entry file of the store folder `directory` that carries one of `tags`. Never throws. */
export function deleteTaggedFiles(directory: string, tags: ReadonlySet<string>): TaggedDeletion {
  const errors: unknown[] = [];
  let removed = 0;
  let bytes = 0;
  for (const shard of listDirectory(directory, errors)) {
    if (!isShardName(shard)) continue;
    const shardPath = path.join(directory, shard);
    for (const name of listDirectory(shardPath, errors)) {
      if (!isEntryFileName(name)) continue;
      const file = path.join(shardPath, name);
      try {
        const { tags: fileTags, size } = tagsOfFile(file);
        if (fileTags === undefined || !fileTags.some((tag) => tags.has(tag))) continue;
        unlinkSync(file);
        removed++;
        bytes += size;
      } catch (error) {
        // Removed by another process meanwhile, or a folder in place of an entry (a read sets it aside later).
        if (!isMissing(error) && (error as NodeJS.ErrnoException).code !== 'EISDIR') errors.push(error);
      }
    }
  }
  return { removed, bytes, errors };
}
