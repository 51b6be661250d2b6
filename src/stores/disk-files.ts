import { lstatSync, readSync, statSync } from 'node:fs';

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
