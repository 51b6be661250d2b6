import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY, entryFiles, recordCache, recordDump, setAge, useInstalledCli } from '../helpers.js';

let dumpFile: string;
let cacheDir: string;

const cli = useInstalledCli((installed) => {
  dumpFile = recordDump(installed, 'a');
  cacheDir = recordCache(installed);
});

describe('memotape ls <dump file>', () => {
  it("lists each function of each collection with its entries and size, and the file's age", () => {
    setAge(dumpFile, 3 * DAY);
    const result = cli.run(['ls', dumpFile]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [header, blank, columns, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/: dump file, 4 entries in 1 collection, [\d.]+ kB, modified 3d ago$/);
    expect(blank).toBe('');
    expect(columns).toMatch(/^COLLECTION +FUNCTION +ENTRIES +SIZE$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^null +add +2 +\d+ B$/);
    expect(rows[1]).toMatch(/^null +fetchUser +2 +\d+ B$/);
  });

  it('prints the same facts as JSON with --json', () => {
    const modified = setAge(dumpFile, 2 * DAY);
    const result = cli.run(['ls', dumpFile, '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing).toMatchObject({ kind: 'dump', path: dumpFile, version: 1, entries: 4 });
    expect(listing.modifiedAt).toBe(modified.toISOString());
    expect(listing.functions).toEqual([
      { collection: 'null', name: 'add', entries: 2, bytes: expect.any(Number), expired: 0 },
      { collection: 'null', name: 'fetchUser', entries: 2, bytes: expect.any(Number), expired: 0 },
    ]);
  });

  it('exits 1 with one line for a file that is not a dump', () => {
    const file = path.join(cli.folder(), 'broken.json');
    writeFileSync(file, '{"version": 1, "collections": \n[');
    const result = cli.run(['ls', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^memotape ls: .*broken\.json is not a valid dump file: it is not JSON/),
    ]);
  });
});

describe('memotape ls <cache dir>', () => {
  it('lists each function of each sub dir with its oldest entry and its last use', () => {
    for (const file of entryFiles(cacheDir, 'should-pad').values()) setAge(file, 40 * DAY);
    const result = cli.run(['ls', cacheDir]);
    expect(result.code).toBe(0);
    const [header, , columns, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/: cache dir, 5 entries in 2 sub dirs, [\d.]+ (kB|B)$/);
    expect(columns).toMatch(/^SUB DIR +FUNCTION +ENTRIES +SIZE +OLDEST +LAST USED$/);
    expect(rows).toEqual([
      expect.stringMatching(/^_default +fetchSize +1 +\d+ B +(just now|\d+[sm] ago) +(just now|\d+[sm] ago)$/),
      expect.stringMatching(/^_default +keepSize +2 +\d+ B +(just now|\d+[sm] ago) +(just now|\d+[sm] ago)$/),
      expect.stringMatching(/^should-pad +shouldPad +2 +\d+ B +(just now|\d+[sm] ago) +40d ago$/),
    ]);
  });

  it('gives per-entry times, expired counts and folder totals with --json', () => {
    let lastUsed = new Date();
    for (const file of entryFiles(cacheDir, '_default').values()) lastUsed = setAge(file, 10 * DAY);
    const listing = JSON.parse(cli.run(['ls', cacheDir, '--json']).stdout);
    expect(listing).toMatchObject({ kind: 'cache', entries: 5, damaged: 0, dumpFile: null });
    expect(listing.folders).toEqual([
      { subDir: '_default', entries: 3, bytes: expect.any(Number), damaged: 0 },
      { subDir: 'should-pad', entries: 2, bytes: expect.any(Number), damaged: 0 },
    ]);
    const [fetchSize, keepSize] = listing.functions;
    expect(fetchSize).toMatchObject({ subDir: '_default', name: 'fetchSize', entries: 1, expired: 1 });
    expect(keepSize).toMatchObject({ subDir: '_default', name: 'keepSize', entries: 2, expired: 0 });
    expect(Date.parse(fetchSize.oldestCreatedAt)).toBeLessThanOrEqual(Date.now());
    expect(fetchSize.lastUsedAt).toBe(lastUsed.toISOString());
    expect(keepSize.lastUsedAt).toBe(lastUsed.toISOString());
  });

  it('notes damaged entry files and the exit dump below the table', () => {
    const directory = recordCache(cli);
    const [damaged] = [...entryFiles(directory, 'should-pad').values()];
    writeFileSync(damaged!, '');
    writeFileSync(path.join(directory, 'memoizer_cache.json'), '{"cache_size":0,"collections":{},"version":1}\n');
    const result = cli.run(['ls', directory]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('should-pad: 1 damaged entry file (memotape check lists them)');
    expect(result.stdout).toMatch(
      /dump file .*memoizer_cache\.json: 0 entries, \d+ B, modified (just now|\d+[sm] ago)/,
    );
    const listing = JSON.parse(cli.run(['ls', directory, '--json']).stdout);
    expect(listing.damaged).toBe(1);
    expect(listing.dumpFile).toMatchObject({ path: path.join(directory, 'memoizer_cache.json'), entries: 0 });
  });

  it('understands the disk-v1 folder and a store folder as the cache dir (the latter: that sub dir only)', () => {
    const layout = JSON.parse(cli.run(['ls', path.join(cacheDir, 'disk-v1'), '--json']).stdout);
    expect(layout).toMatchObject({ cacheDir, entries: 5 });
    const store = JSON.parse(cli.run(['ls', path.join(cacheDir, 'disk-v1', 'should-pad'), '--json']).stdout);
    expect(store.functions.map((row: { name: string }) => row.name)).toEqual(['shouldPad']);
  });
});
