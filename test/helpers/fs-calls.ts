import type * as fs from 'node:fs';
import path from 'node:path';

/*
 * A record of the file system calls that make a write durable, for tests that mock `node:fs` with
 * `vi.mock('node:fs', (importOriginal) => recordingFs(importOriginal, calls))`. The calls still go to the real file
 * system; each one that succeeds is logged as a line such as `fsync <path>` or `rename <from> -> <to>`, the path of
 * a descriptor being the one it was opened with. Only descriptors opened through `openSync` are followed, so writes
 * to stdout and stderr stay out of the log.
 */

type FileSystem = typeof fs;

/** The `node:fs` module with `openSync`, `closeSync`, `writeSync`, `fsyncSync`, `renameSync` and `mkdirSync` logged. */
export async function recordingFs(importOriginal: () => Promise<FileSystem>, calls: string[]): Promise<FileSystem> {
  const real = await importOriginal();
  const opened = new Map<number, string>();
  const overrides = {
    openSync(file: fs.PathLike, ...rest: unknown[]): number {
      const descriptor = (real.openSync as (...args: unknown[]) => number)(file, ...rest);
      opened.set(descriptor, String(file));
      return descriptor;
    },
    closeSync(descriptor: number): void {
      real.closeSync(descriptor);
      opened.delete(descriptor);
    },
    writeSync(descriptor: number, ...rest: unknown[]): number {
      const written = (real.writeSync as (...args: unknown[]) => number)(descriptor, ...rest);
      const file = opened.get(descriptor);
      if (file !== undefined) calls.push(`write ${file}`);
      return written;
    },
    fsyncSync(descriptor: number): void {
      real.fsyncSync(descriptor);
      calls.push(`fsync ${opened.get(descriptor) ?? `descriptor ${descriptor}`}`);
    },
    renameSync(from: fs.PathLike, to: fs.PathLike): void {
      real.renameSync(from, to);
      calls.push(`rename ${String(from)} -> ${String(to)}`);
    },
    mkdirSync(folder: fs.PathLike, options?: fs.MakeDirectoryOptions): string | undefined {
      const created = real.mkdirSync(folder, options);
      calls.push(`mkdir ${String(folder)}`);
      return created;
    },
  };
  return { ...real, ...overrides, default: { ...real, ...overrides } } as FileSystem;
}

/** A temp file's unique suffix (pid, thread, random bytes; see src/internal/atomic-write.ts), for {@link relativeCalls}. */
const TEMP_NAME = /\.memotape-tmp-(.+)\.\d+\.\d+\.[0-9a-f]{12}$/;

/**
 * The logged calls with paths made relative to `root` (`.` for `root` itself), a temp file written as
 * `<temp of NAME>` and repeated writes to one file folded into one line: a stable log to compare.
 */
export function relativeCalls(calls: readonly string[], root: string): string[] {
  const relative = (file: string) => (path.relative(root, file) || '.').replace(TEMP_NAME, '<temp of $1>');
  const lines = calls.map((call) => {
    const [operation, ...rest] = call.split(' ');
    const files = rest.join(' ').split(' -> ').map(relative);
    return `${operation} ${files.join(' -> ')}`;
  });
  return lines.filter((line, index) => !(line.startsWith('write ') && line === lines[index - 1]));
}
