import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DUMP_VERSION,
  type DumpCollection,
  type DumpCollections,
  type DumpContents,
  parseDump,
  serializeDump,
} from '../dump/dump-format.js';
import { acquireDumpLock, type DumpLock } from '../dump/dump-lock.js';
import { DumpError, SecretLeakError } from '../errors.js';
import { writeFileAtomicSync } from '../internal/atomic-write.js';
import { describeLeak, scanDumpForSecrets } from './secret-scan.js';

/*
 * Reading and writing one fixture file. The file has the dump file's format. A write takes the dump lock of the
 * file (two test files may share a fixture), reads what is there now, lays this run's recordings over it (entries
 * the run did not use are kept), and compares bytes: an unchanged file is not touched. Otherwise the whole content
 * is scanned for secrets, and only a clean content is written atomically (temp file, fsync, rename).
 */

const LOCK_BUDGET_MS = 5000;
const STALE_LOCK_MS = 10_000;

/** A fixture file as read at construction. */
export interface LoadedFixture {
  readonly exists: boolean;
  readonly contents: DumpContents;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new DumpError(
      file,
      code === 'EISDIR' ? 'corrupt' : 'unreadable',
      `cannot read the fixture ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function parseFixture(text: string, file: string): DumpContents {
  try {
    return parseDump(text, file);
  } catch (error) {
    if (!(error instanceof DumpError)) throw error;
    throw new DumpError(
      file,
      error.reason,
      `${error.message}. Repair the fixture (for example, resolve a merge conflict in it), or delete it and record it again.`,
      { cause: error },
    );
  }
}

/** Reads a fixture file; a missing file is an empty fixture. Throws a DumpError for an unreadable or corrupt one. */
export function loadFixture(file: string): LoadedFixture {
  const text = readText(file);
  if (text === undefined) return { exists: false, contents: { version: DUMP_VERSION, collections: new Map() } };
  return { exists: true, contents: parseFixture(text, file) };
}

/** What a write did: `written`, or `unchanged` when the file already had these exact bytes. */
export type FixtureWriteStatus = 'written' | 'unchanged';

/**
 * Lays `entries` over the fixture's collection `collection` and writes the file, unless its bytes would not change.
 * Throws a {@link SecretLeakError} (and writes nothing) when a value of `secrets` is anywhere in the content, and a
 * DumpError when the file is corrupt, cannot be written, or stays locked for `lockBudgetMs`.
 */
export function writeFixture(
  file: string,
  collection: string,
  entries: DumpCollection,
  secrets: Readonly<Record<string, string>>,
  lockBudgetMs = LOCK_BUDGET_MS,
): FixtureWriteStatus {
  let lock: DumpLock | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    lock = acquireDumpLock(file, { budgetMs: lockBudgetMs, staleMs: STALE_LOCK_MS });
  } catch (error) {
    throw new DumpError(file, 'unwritable', `cannot save the fixture ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (lock === undefined) {
    throw new DumpError(file, 'locked', `cannot save the fixture ${file}: its lock stayed busy for ${lockBudgetMs} ms`);
  }
  try {
    const text = readText(file);
    const collections: DumpCollections = new Map();
    if (text !== undefined) {
      for (const [name, existing] of parseFixture(text, file).collections) collections.set(name, new Map(existing));
    }
    const target = collections.get(collection) ?? new Map();
    collections.set(collection, target);
    for (const [key, entry] of entries) target.set(key, entry);
    const contents: DumpContents = { version: DUMP_VERSION, collections };
    const next = serializeDump(contents);
    if (next === text) return 'unchanged';
    const leaks = scanDumpForSecrets(contents, secrets);
    if (leaks.length > 0) {
      const listed = leaks.slice(0, 5).map((leak) => `  - ${describeLeak(leak)}`);
      if (leaks.length > 5) listed.push(`  - and ${leaks.length - 5} more`);
      throw new SecretLeakError(
        file,
        leaks,
        `Refusing to write ${file}: a secret survived redaction.\n${listed.join('\n')}\nRedact it (redact.secrets, redact.keys or a redact hook), or remove the entry from the file if it was recorded before redaction was set up.`,
      );
    }
    if (!lock.stillHeld()) {
      throw new DumpError(file, 'locked', `cannot save the fixture ${file}: its lock was taken over during the write`);
    }
    try {
      writeFileAtomicSync(file, next, { durable: true });
    } catch (error) {
      throw new DumpError(file, 'unwritable', `cannot save the fixture ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return 'written';
  } finally {
    lock.release();
  }
}
