import { closeSync, fsyncSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

// Small synchronous file helpers of the disk store.

/** The size of `file`, or -1 when there is none. */
export function sizeOf(file: string): number {
  try {
    return lstatSync(file).size;
  } catch {
    return -1;
  }
}

/** Whether `directory` is an existing folder. */
export function isDirectory(directory: string): boolean {
  try {
    return statSync(directory).isDirectory();
  } catch {
    return false;
  }
}

/** Reads exactly `size` bytes (fewer only if the file is shorter than its `fstat` said). */
export function readAll(descriptor: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const read = readSync(descriptor, buffer, offset, size - offset, offset);
    if (read === 0) break;
    offset += read;
  }
  return offset === size ? buffer : buffer.subarray(0, offset);
}

/** fsyncs the parent of every folder `mkdir` just created, so the new folders themselves survive a power loss. */
export function syncCreatedFolders(deepest: string, firstCreated: string): void {
  for (let folder = deepest; ; folder = path.dirname(folder)) {
    let descriptor: number | undefined;
    try {
      descriptor = openSync(path.dirname(folder), 'r');
      fsyncSync(descriptor);
    } catch {
      // Some file systems refuse to fsync a folder; the entry itself is still fsynced.
    } finally {
      if (descriptor !== undefined) closeSync(descriptor);
    }
    if (folder === firstCreated || path.dirname(folder) === folder) return;
  }
}
