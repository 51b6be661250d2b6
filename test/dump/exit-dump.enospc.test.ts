import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fullDiskTitle, fullDiskUnavailable, useSmallDisk } from '../helpers/full-disk.js';
import { type ChildResult, fixture, memotapeWarnings, requireBuild, runChild } from './helpers.js';

const child = fixture('full-disk-child.mjs');
const DUMP = 'memoizer_cache.json';

/** What the child prints on stdout when all goes well: its results, then its own exit listener. */
function expectedOutput(id: string): string {
  const results = [0, 1, 2].map((index) => `RESULT ${JSON.stringify({ owner: id, index })}\n`);
  return `${results.join('')}EXIT-LISTENER 0\n`;
}

function runRecorder(cacheDir: string, id: string): Promise<ChildResult> {
  return runChild(child, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, CHILD_ID: id });
}

/** Checks that the child ended normally and printed all it had to, with exactly one MEMOTAPE_DUMP_FAILED warning. */
function expectFailedDump(result: ChildResult, cacheDir: string): void {
  expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
  expect(result.stdout).toBe(expectedOutput('second'));
  // Nothing but the warning on stderr: no stack trace, no second warning.
  expect(result.stderr.trimEnd().split('\n')).toEqual(memotapeWarnings(result));
  const warnings = memotapeWarnings(result);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('MEMOTAPE_DUMP_FAILED');
  expect(warnings[0]).toContain('ENOSPC');
  expect(warnings[0]).toContain(path.join(cacheDir, DUMP));
  expect(warnings[0]).toContain('3 entries of this process were not saved');
}

// Needs a real full file system (a tmpfs mount, so Linux and root): skipped with the probe's reason elsewhere.
describe.skipIf(fullDiskUnavailable !== undefined)(fullDiskTitle('the exit dump on a full disk'), () => {
  const disk = useSmallDisk();
  let runs = 0;
  let cacheDir: string;

  beforeAll(requireBuild);

  afterEach(() => {
    disk.free();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('keeps the exit code, the output and the earlier dump byte for byte, leaving no temp file, lock or side file', async () => {
    cacheDir = path.join(disk.directory, `cache-${runs++}`);
    const first = await runRecorder(cacheDir, 'first');
    expect(first.code).toBe(0);
    expect(memotapeWarnings(first)).toEqual([]);
    const file = path.join(cacheDir, DUMP);
    const before = readFileSync(file);
    expect(JSON.parse(before.toString('utf8'))).toMatchObject({ cache_size: 3 });

    disk.fill();
    const second = await runRecorder(cacheDir, 'second');

    expectFailedDump(second, cacheDir);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([DUMP]);
  });

  it('creates no dump file and leaves nothing behind when the first dump already meets a full disk', async () => {
    cacheDir = path.join(disk.directory, `cache-${runs++}`);
    disk.fill();
    const result = await runRecorder(cacheDir, 'second');

    expectFailedDump(result, cacheDir);
    expect(existsSync(path.join(cacheDir, DUMP))).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
