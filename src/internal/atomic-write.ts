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

/** Where text goes piece by piece (a file being written, or a list of pieces to join). */
export interface TextSink {
  write(text: string): void;
}

/**
 * Size of the buffer text is encoded into before each write: big enough for few system calls, small enough that a
 * huge text is never held twice (as a string and as one Buffer of the same size).
 */
const BUFFER_BYTES = 1 << 20;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;
/** Longest piece of text encoded in one go: a longer one is cut, never inside a surrogate pair. */
const MAX_PIECE_UNITS = Math.floor(BUFFER_BYTES / MAX_BYTES_PER_UNIT);

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A file written atomically, in pieces: they go to a uniquely named temp file in the same folder (every byte
 * written, checked), and {@link commit} renames it over the file, so readers see the old content or the new one,
 * never a mix. Text is encoded into a reused buffer of 1 MiB: writing a text of any size allocates no Buffer of
 * its size. Call {@link discard} in a `finally`: it removes the temp file unless the commit happened.
 *
 * @example
 * ```ts
 * const writer = AtomicFileWriter.open(file, { durable: true });
 * try {
 *   for (const line of lines) writer.write(`${line}\n`);
 *   writer.commit();
 * } finally {
 *   writer.discard();
 * }
 * ```
 */
export class AtomicFileWriter implements TextSink {
  readonly file: string;
  readonly #temp: string;
  readonly #durable: boolean;
  #descriptor: number | undefined;
  #buffer: Buffer | undefined;
  #used = 0;
  #renamed = false;

  private constructor(file: string, temp: string, descriptor: number, durable: boolean) {
    this.file = file;
    this.#temp = temp;
    this.#descriptor = descriptor;
    this.#durable = durable;
  }

  /** Creates the temp file beside `file`. */
  static open(file: string, options: AtomicWriteOptions = {}): AtomicFileWriter {
    const temp = tempPathFor(file);
    const descriptor = openSync(temp, 'wx', options.mode ?? 0o644);
    return new AtomicFileWriter(file, temp, descriptor, options.durable === true);
  }

  /** Appends `text`, encoded as UTF-8. Pieces are cut only between whole characters, so any text may be given. */
  write(text: string): void {
    const length = text.length;
    if (length > MAX_PIECE_UNITS) {
      this.#writeLong(text);
      return;
    }
    let buffer = this.#buffer;
    if (buffer === undefined) {
      if (this.#descriptor === undefined) throw new Error(`${this.#temp} is already closed`);
      buffer = Buffer.allocUnsafe(BUFFER_BYTES);
      this.#buffer = buffer;
    } else if (this.#used + length * MAX_BYTES_PER_UNIT > BUFFER_BYTES) {
      this.#flush();
    }
    // There is room for the longest encoding of `text`, so all of it is written.
    this.#used += buffer.write(text, this.#used);
  }

  /** Appends bytes as they are. */
  writeBytes(bytes: Uint8Array): void {
    this.#flush();
    this.#writeFully(bytes, bytes.byteLength);
  }

  /** Writes what is buffered, fsyncs (when durable) and closes the temp file; {@link commit} calls it. */
  close(): void {
    const descriptor = this.#descriptor;
    if (descriptor === undefined) return;
    try {
      this.#flush();
      if (this.#durable) fsyncSync(descriptor);
    } finally {
      this.#descriptor = undefined;
      this.#buffer = undefined;
      closeSync(descriptor);
    }
  }

  /** Closes the temp file and renames it over the file (then fsyncs the folder, when durable). */
  commit(): void {
    this.close();
    renameSync(this.#temp, this.file);
    this.#renamed = true;
    if (this.#durable) syncDirectory(path.dirname(this.file));
  }

  /** Closes and removes the temp file, unless it was committed; never throws. */
  discard(): void {
    if (this.#renamed) return;
    if (this.#descriptor !== undefined) {
      try {
        closeSync(this.#descriptor);
      } catch {
        // Already unusable: removing the file is what matters.
      }
      this.#descriptor = undefined;
      this.#buffer = undefined;
    }
    try {
      rmSync(this.#temp, { force: true });
    } catch {
      // The folder itself is gone or unusable: the caller's error says why the write failed.
    }
  }

  /** A text too long for the buffer, in pieces that each fit (a surrogate pair is never split). */
  #writeLong(text: string): void {
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + MAX_PIECE_UNITS);
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      this.write(text.slice(start, end));
      start = end;
    }
  }

  #flush(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    this.#writeFully(this.#buffer!, used);
  }

  #writeFully(bytes: Uint8Array, length: number): void {
    const descriptor = this.#descriptor;
    if (descriptor === undefined) throw new Error(`${this.#temp} is already closed`);
    let offset = 0;
    while (offset < length) {
      const written = writeSync(descriptor, bytes, offset, length - offset);
      if (written <= 0) throw new Error(`short write to ${this.#temp}`);
      offset += written;
    }
  }
}

/**
 * Writes `data` to `file` atomically: a uniquely named temp file in the same folder, every byte written (checked),
 * optionally fsynced, then renamed over `file`. Readers see the old content or the new one, never a mix. The temp
 * file is removed if anything fails. A string is encoded piece by piece (see {@link AtomicFileWriter}).
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const writer = AtomicFileWriter.open(file, options);
  try {
    // A short text is encoded at once (from Buffer's pool); a long one in pieces, never all at once.
    if (typeof data !== 'string') writer.writeBytes(data);
    else if (data.length <= MAX_PIECE_UNITS) writer.writeBytes(Buffer.from(data, 'utf8'));
    else writer.write(data);
    writer.commit();
  } finally {
    writer.discard();
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
