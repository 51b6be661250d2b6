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

/** The keys of a function's entries, from --json. */
function keysOf(target: string, fn: string): string[] {
  return JSON.parse(cli.run(['show', target, '--fn', fn, '--json']).stdout).entries.map(
    (entry: { key: string }) => entry.key,
  );
}

describe('memotape show', () => {
  it('shows each call with its arguments and its result decoded: a Date as ISO time, a Map by its entries', () => {
    const result = cli.run(['show', dumpFile, '--fn', 'fetchUser']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fetchUser in .*: 2 entries\n\n[0-9a-f]{32} {2}collection null, async\n/);
    expect(result.stdout).toContain('  call:   fetchUser(1)\n');
    expect(result.stdout).toContain('  call:   fetchUser(3)\n');
    expect(result.stdout).toContain('joined: 2020-01-01T00:00:00.000Z');
    expect(result.stdout).toContain("roles: Map(1) { 'admin' => false }");
    expect(result.stdout).toContain("items: [ { name: 'a' }, { name: 'b' }, { name: 'c' } ]");
  });

  it('shows BigInt arguments and results as Node prints them', () => {
    const result = cli.run(['show', dumpFile, '--fn', 'add']);
    expect(result.stdout).toContain('  call:   add(2n, 3n)\n  result: 5n\n');
    expect(result.stdout).toContain('  call:   add(1, 2)\n  result: 3\n');
  });

  it('keeps params and results in tagged JSON with --json', () => {
    const { entries } = JSON.parse(cli.run(['show', dumpFile, '--fn', 'fetchUser', '--json']).stdout);
    const first = entries.find((entry: { params: { args: number[] } }) => entry.params.args[0] === 1);
    expect(first).toMatchObject({ collection: 'null', namespace: 'fetchUser', promise: true, params: { args: [1] } });
    expect(first.result.joined).toEqual({ $mt: 'D', v: Date.UTC(2020, 0, 1) });
    expect(first.result.roles).toEqual({ $mt: 'M', v: [['admin', false]] });
  });

  it('finds an entry by its key or the first characters of it', () => {
    const [key] = keysOf(dumpFile, 'add');
    const whole = cli.run(['show', dumpFile, '--key', key!]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toMatch(new RegExp(`^key ${key} in .*: 1 entry\\n`));
    const prefix = cli.run(['show', dumpFile, '--key', key!.slice(0, 8).toUpperCase(), '--json']);
    expect(JSON.parse(prefix.stdout).entries.map((entry: { key: string }) => entry.key)).toContain(key);
  });

  it('shows when a cache dir entry was created and last used', () => {
    for (const file of entryFiles(cacheDir, 'should-pad').values()) setAge(file, 5 * DAY);
    const result = cli.run(['show', cacheDir, '--fn', 'shouldPad']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\n[0-9a-f]{32} {2}sub dir should-pad, sync, created (just now|\d+[sm] ago), last used 5d ago\n/,
    );
    expect(result.stdout).toContain('  call:   shouldPad(3, 4)\n  result: { pad: true, at: 1970-01-01T00:00:00.012Z }');
    const { entries } = JSON.parse(cli.run(['show', cacheDir, '--fn', 'fetchSize', '--json']).stdout);
    expect(entries[0]).toMatchObject({ subDir: '_default', result: { $mt: 'b', v: '9000' } });
    expect(Date.parse(entries[0].createdAt)).toBeLessThanOrEqual(Date.parse(entries[0].expiresAt));
  });

  it('shows params from a paramsEncoder as a value after the name', () => {
    const file = path.join(cli.folder(), 'encoded.json');
    const entry = { namespace: 'search', params: { query: 'cats', page: 2 }, promise: false, result: ['a'] };
    const collections = { null: { ['a'.repeat(32)]: entry } };
    writeFileSync(file, JSON.stringify({ cache_size: 1, collections, version: 1 }));
    expect(cli.run(['show', file, '--fn', 'search']).stdout).toContain("  call:   search { query: 'cats', page: 2 }\n");
  });

  it('exits 1 when nothing matches, naming the functions the file has', () => {
    const result = cli.run(['show', dumpFile, '--fn', 'fetchUsers']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^memotape show: no entries of fetchUsers in .* \(its functions: add, fetchUser\)\n$/,
    );
  });

  it('exits 2 without --fn or --key, and for a key that is not hex', () => {
    const missing = cli.run(['show', dumpFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('show needs --fn <name> or --key <key>');
    const badKey = cli.run(['show', dumpFile, '--key', 'xyz']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('--key takes a 32-hex key or its first characters');
  });
});
