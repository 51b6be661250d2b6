import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY, entryFiles, recordCache, setAge, useInstalledCli } from '../helpers.js';

const cli = useInstalledCli();

/** Every entry file of the cache dir, as `<sub dir>/<key>`. */
function remaining(cacheDir: string): string[] {
  return ['_default', 'should-pad'].flatMap((subDir) =>
    [...entryFiles(cacheDir, subDir).keys()].map((key) => `${subDir}/${key}`).sort(),
  );
}

/** The entry file of keepSize(length) in `_default`. */
function keepSizeFile(cacheDir: string, length: number): string {
  const pattern = `"result":"${'x'.repeat(length)}"`;
  const file = [...entryFiles(cacheDir, '_default').values()].find((candidate) =>
    readFileSync(candidate, 'utf8').includes(pattern),
  );
  if (file === undefined) throw new Error(`no entry of keepSize(${length})`);
  return file;
}

describe('memotape prune', () => {
  it('lists what it would remove with --dry-run, and removes nothing', () => {
    const cacheDir = recordCache(cli);
    const [damaged] = [...entryFiles(cacheDir, 'should-pad').values()];
    writeFileSync(damaged!, '{"format":"memotape-disk-entry","version":1,');
    const before = remaining(cacheDir);
    const result = cli.run(['prune', cacheDir, '--dry-run']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${cacheDir}: would remove 2 entries, \\d+ B: 1 damaged, 1 expired$`));
    expect(lines).toContainEqual(expect.stringMatching(/^_default +fetchSize +[0-9a-f]{32} +\d+ B +expired$/));
    expect(lines).toContainEqual(expect.stringMatching(/^should-pad +\(damaged\) +[0-9a-f]{32} +\d+ B +damaged$/));
    expect(lines.at(-1)).toMatch(/^would leave 3 entries, [\d.]+ k?B$/);
    expect(remaining(cacheDir)).toEqual(before);
  });

  it('removes expired and damaged entries, and keeps the rest', () => {
    const cacheDir = recordCache(cli);
    const [damaged] = [...entryFiles(cacheDir, 'should-pad').values()];
    writeFileSync(damaged!, '');
    const result = cli.run(['prune', cacheDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: removed 2 entries, \d+ B: 1 damaged, 1 expired\nleft 3 entries, [\d.]+ k?B\n$/);
    expect(existsSync(damaged!)).toBe(false);
    expect(
      JSON.parse(cli.run(['ls', cacheDir, '--json']).stdout).functions.map((row: { name: string }) => row.name),
    ).toEqual(['keepSize', 'shouldPad']);
  });

  it('removes entries not used for --older-than, going by their last use', () => {
    const cacheDir = recordCache(cli);
    for (const file of entryFiles(cacheDir, 'should-pad').values()) setAge(file, 40 * DAY);
    setAge(keepSizeFile(cacheDir, 100), 29 * DAY);
    const result = cli.run(['prune', cacheDir, '--older-than', '30d', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.counts).toEqual({ damaged: 0, expired: 1, unused: 2, overMaxBytes: 0 });
    expect(report.removed.filter((entry: { reason: string }) => entry.reason === 'unused')).toEqual([
      expect.objectContaining({ subDir: 'should-pad', namespace: 'shouldPad' }),
      expect.objectContaining({ subDir: 'should-pad', namespace: 'shouldPad' }),
    ]);
    expect(report.remaining.entries).toBe(2);
    expect(remaining(cacheDir).filter((entry) => entry.startsWith('should-pad/'))).toEqual([]);
  });

  it('removes the least recently used entries until the rest fit in --max-bytes, within --sub-dir', () => {
    const cacheDir = recordCache(cli);
    const newer = keepSizeFile(cacheDir, 100);
    const older = keepSizeFile(cacheDir, 200);
    setAge(newer, DAY);
    setAge(older, 2 * DAY);
    const limit = statSync(newer).size;
    const result = cli.run(['prune', cacheDir, '--sub-dir', '_default', '--max-bytes', String(limit)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`1 expired, 1 over ${limit} B`);
    expect(existsSync(newer)).toBe(true);
    expect(existsSync(older)).toBe(false);
    // Other sub dirs are left alone.
    expect(entryFiles(cacheDir, 'should-pad').size).toBe(2);
  });

  it('removes temp files that killed writers left behind, and not those of live writers', () => {
    const cacheDir = recordCache(cli);
    const shard = path.dirname(keepSizeFile(cacheDir, 100));
    const stale = path.join(shard, '.memotape-tmp-0123456789abcdef0123456789abcdef.json.1-0-aa');
    const fresh = path.join(shard, '.memotape-tmp-0123456789abcdef0123456789abcdef.json.2-0-bb');
    writeFileSync(stale, '{"format":');
    writeFileSync(fresh, '{"format":');
    setAge(stale, 60 * 60_000);
    const result = cli.run(['prune', cacheDir]);
    expect(result.stdout).toContain('removed 1 stale temp file');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('exits 2 for a duration or size it cannot read, and for a file given as the cache dir', () => {
    const cacheDir = recordCache(cli);
    const duration = cli.run(['prune', cacheDir, '--older-than', '30']);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('--older-than takes a duration such as 30d, 12h or 90m, got "30"');
    const size = cli.run(['prune', cacheDir, '--max-bytes', '5 parsecs']);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--max-bytes takes a size such as 500mb, 2gb or 4096');
    const file = cli.run(['prune', keepSizeFile(cacheDir, 100)]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('is a file; give a cache dir');
  });
});
