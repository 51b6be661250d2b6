import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mergeIntoDumpFile } from '../../src/dump/dump-file.js';
import type { DumpCollections } from '../../src/dump/dump-format.js';
import { relativeCalls } from '../helpers/fs-calls.js';
import { captureWarnings } from '../helpers/warnings.js';

// node:fs is mocked in this file only (its own module graph): every call still reaches the real file system, and
// the writes, fsyncs, renames and mkdirs made by memotape are logged in order, by path. The lock is taken through
// proper-lockfile, whose own file system calls are not logged.
const calls = vi.hoisted((): string[] => []);
vi.mock('node:fs', async (importOriginal) =>
  (await import('../helpers/fs-calls.js')).recordingFs(importOriginal, calls),
);

const DUMP = 'memoizer_cache.json';
const warnings = captureWarnings();
let root: string;
let file: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'memotape-dump-durable-'));
  file = path.join(root, 'cache', DUMP);
  calls.length = 0;
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function collections(key: string, result: string): DumpCollections {
  return new Map([['null', new Map([[key, { namespace: 'fn', params: { args: [result] }, result, promise: false }]])]]);
}

/** What the merge did to the file system since the last call, relative to the temp root. */
function logged(): string[] {
  const log = relativeCalls(calls, root);
  calls.length = 0;
  return log;
}

describe('the dump file is always written durably', () => {
  it('fsyncs the merged temp file before renaming it over the dump file, then the folder', () => {
    mergeIntoDumpFile(file, collections('a'.repeat(32), 'first'));
    logged();

    expect(mergeIntoDumpFile(file, collections('b'.repeat(32), 'second')).status).toBe('written');
    expect(logged()).toEqual([
      'mkdir cache',
      `write cache/<temp of ${DUMP}>`,
      `fsync cache/<temp of ${DUMP}>`,
      `rename cache/<temp of ${DUMP}> -> cache/${DUMP}`,
      'fsync cache',
    ]);
  });

  it('fsyncs the parent of a cache dir it creates, so the first dump survives a power loss too', () => {
    expect(mergeIntoDumpFile(file, collections('a'.repeat(32), 'first')).status).toBe('written');
    expect(logged()).toEqual([
      'mkdir cache',
      'fsync .',
      `write cache/<temp of ${DUMP}>`,
      `fsync cache/<temp of ${DUMP}>`,
      `rename cache/<temp of ${DUMP}> -> cache/${DUMP}`,
      'fsync cache',
    ]);
  });

  it('fsyncs a side file before renaming it into place when the lock stays busy', () => {
    mergeIntoDumpFile(file, collections('a'.repeat(32), 'first'));
    mkdirSync(`${file}.lock`);
    logged();

    expect(mergeIntoDumpFile(file, collections('b'.repeat(32), 'waiting'), { lockBudgetMs: 20 }).status).toBe(
      'pending',
    );
    const side = `${DUMP}\\.\\d+-\\d+-[0-9a-f]{8}\\.pending`;
    expect(logged()).toEqual([
      'mkdir cache',
      expect.stringMatching(new RegExp(`^write cache/<temp of ${side}>$`)),
      expect.stringMatching(new RegExp(`^fsync cache/<temp of ${side}>$`)),
      expect.stringMatching(new RegExp(`^rename cache/<temp of ${side}> -> cache/${side}$`)),
      'fsync cache',
    ]);
    expect(warnings.codes()).toEqual([expect.stringContaining('MEMOTAPE_DUMP_DEFERRED')]);
    rmdirSync(`${file}.lock`);
  });
});
