import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DumpCollections, serializeDump, toDumpEntry } from '../../src/dump/dump-format.js';
import { internals, Memoizer } from '../../src/memoizer.js';

const directories: string[] = [];

/** A fresh temp dir, removed by {@link removeTemporaryDirectories}. */
export function temporaryDirectory(prefix = 'memotape-freshness-'): string {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  directories.push(directory);
  return directory;
}

export function removeTemporaryDirectories(): void {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** A promise with its resolve and reject functions. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** Lets queued microtasks and already settled promises run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Records with a fresh memoizer (awaiting what `record` returns) and writes its entries as a dump file. */
export async function recordDump(record: (memoizer: Memoizer) => unknown): Promise<string> {
  const memoizer = new Memoizer();
  await record(memoizer);
  const collection = new Map(
    [...memoizer[internals].exportEntries()].map(({ key, entry }) => [key, toDumpEntry(entry)]),
  );
  const collections: DumpCollections = new Map([[memoizer.collection, collection]]);
  const file = path.join(temporaryDirectory(), 'dump.json');
  writeFileSync(file, serializeDump({ version: 1, collections }));
  return file;
}
