import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

/** Options of {@link writeFileAtomicSync}. */
export interface AtomicWriteOptions {
  /** fsync the temp file before the rename (and the folder after it), so the write survives a power loss. */
  readonly durable?: boolean | undefined;
  /** File mode of the new file. @default 0o644 */
  readonly mode?: number | undefined;
}

/** The prefix every temp file starts with, so stale ones (left by a killed process) can be found and removed. */
export const TEMP_FILE_MARK = '.memotape-tmp-';

/** A unique temp file name beside `file`: pid, thread and random bytes, so no two writers ever share one. */
export function tempPathFor(file: string): string {
  return path.join(
    path.dirname(file),
    `${TEMP_FILE_MARK}${path.basename(file)}.${process.pid}.${threadId}.${randomBytes(6).toString('hex')}`,
  );
}

/**
 * Writes `data` to `file` atomically: a uniquely named temp file in the same folder, every byte written (checked),
 * optionally fsynced, then renamed over `file`. Readers see the old content or the new one, never a mix. The temp
 * file is removed if anything fails.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = tempPathFor(file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let renamed = false;
  try {
    const descriptor = openSync(temp, 'wx', options.mode ?? 0o644);
    try {
      let offset = 0;
      while (offset < bytes.byteLength) {
        const written = writeSync(descriptor, bytes, offset, bytes.byteLength - offset);
        if (written <= 0) throw new Error(`short write to ${temp}`);
        offset += written;
      }
      if (options.durable) fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temp, file);
    renamed = true;
    if (options.durable) syncDirectory(path.dirname(file));
  } finally {
    if (!renamed) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // The folder itself is gone or unusable: keep the original error, which says why the write failed.
      }
    }
  }
}

function syncDirectory(directory: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(directory, 'r');
    fsyncSync(descriptor);
  } catch {
    // Some file systems refuse to fsync a directory; the rename itself is still atomic.
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}
