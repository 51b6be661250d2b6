import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeIntoDumpFile } from '../../src/dump/dump-file.js';
import type { DumpCollections, DumpEntry } from '../../src/dump/dump-format.js';
import { fullDiskTitle, fullDiskUnavailable, useSmallDisk } from '../helpers/full-disk.js';
import { captureWarnings } from '../helpers/warnings.js';

const DUMP = 'memoizer_cache.json';

function collections(results: Record<string, string>): DumpCollections {
  const entries = Object.entries(results).map(([key, result]): [string, DumpEntry] => [
    key,
    { namespace: 'fn', params: { args: [result] }, result, promise: false },
  ]);
  return new Map([['null', new Map(entries)]]);
}

// Needs a real full file system (a tmpfs mount, so Linux and root): skipped with the probe's reason elsewhere.
describe.skipIf(fullDiskUnavailable !== undefined)(fullDiskTitle('mergeIntoDumpFile on a full disk'), () => {
  const disk = useSmallDisk();
  const warnings = captureWarnings();
  let runs = 0;
  let file: string;

  afterEach(() => {
    disk.free();
    rmSync(path.dirname(file), { recursive: true, force: true });
  });

  function dumpWithOneEntry(): Buffer {
    file = path.join(disk.directory, `cache-${runs++}`, DUMP);
    expect(mergeIntoDumpFile(file, collections({ ['a'.repeat(32)]: 'first' })).status).toBe('written');
    return readFileSync(file);
  }

  it('answers failed (unwritable, ENOSPC) with one warning, leaving the old file whole and no temp file or lock', () => {
    const before = dumpWithOneEntry();
    disk.fill();
    const outcome = mergeIntoDumpFile(file, collections({ ['b'.repeat(32)]: 'second' }));
    expect(outcome).toMatchObject({ status: 'failed', entries: 1, error: { reason: 'unwritable' } });
    expect(outcome.error?.message).toContain('ENOSPC');
    expect(warnings.codes()).toEqual([expect.stringMatching(/^MEMOTAPE_DUMP_FAILED: .*ENOSPC/)]);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(path.dirname(file))).toEqual([DUMP]);
  });

  it('answers failed when the lock is busy and the side file cannot be written either, leaving no partial side file', () => {
    const before = dumpWithOneEntry();
    mkdirSync(`${file}.lock`);
    disk.fill();
    const outcome = mergeIntoDumpFile(file, collections({ ['b'.repeat(32)]: 'second' }), { lockBudgetMs: 20 });
    expect(outcome).toMatchObject({ status: 'failed', entries: 1, error: { reason: 'unwritable' } });
    expect(outcome.error?.message).toContain('ENOSPC');
    expect(warnings.codes()).toEqual([expect.stringContaining('MEMOTAPE_DUMP_FAILED')]);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(path.dirname(file)).sort()).toEqual([DUMP, `${DUMP}.lock`]);
    rmdirSync(`${file}.lock`);
  });
});
