import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordDump, useInstalledCli } from '../helpers.js';

let before: string;
let after: string;

const cli = useInstalledCli((installed) => {
  before = recordDump(installed, 'a');
  after = recordDump(installed, 'b');
});

const KEY = 'c'.repeat(32);

/** Writes a one-entry dump file by hand (the format of docs/dump-file.md). */
function writeDump(name: string, entry: Record<string, unknown>): string {
  const file = path.join(cli.folder(), name);
  const collections = { null: { [KEY]: { namespace: 'report', params: { args: [] }, promise: false, ...entry } } };
  writeFileSync(file, JSON.stringify({ cache_size: 1, collections, version: 1 }));
  return file;
}

describe('memotape diff', () => {
  it('lists added, removed and changed entries per function, a change by the paths that differ, and exits 1', () => {
    const result = cli.run(['diff', before, after]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('fetchUser (collection null): 1 added, 1 removed, 1 changed');
    expect(lines[1]).toMatch(/^ {2}\+ [0-9a-f]{32} {2}fetchUser\(2\)$/);
    expect(lines[2]).toMatch(/^ {2}- [0-9a-f]{32} {2}fetchUser\(3\)$/);
    expect(lines[3]).toMatch(/^ {2}~ [0-9a-f]{32} {2}fetchUser\(1\)$/);
    expect(lines.slice(4, 7)).toEqual([
      '      result.name: "Ada" → "Ada Lovelace"',
      '      result.roles.get("admin"): false → true',
      '      result.items[2].name: "c" → "z"',
    ]);
    expect(lines.at(-1)).toBe('3 entries differ: 1 added, 1 removed, 1 changed (2 unchanged)');
    // add(...) recorded the same results in both: not listed at all.
    expect(result.stdout).not.toContain('add (');
  });

  it('exits 0 and says so when there are no differences', () => {
    const result = cli.run(['diff', before, before]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`no differences between ${before} and ${before}: 4 entries in both\n`);
  });

  it('gives the changes with tagged JSON values with --json', () => {
    const result = cli.run(['diff', before, after, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 2 });
    const [fetchUser] = report.functions;
    expect(fetchUser).toMatchObject({ namespace: 'fetchUser', collection: 'null' });
    expect(fetchUser.added).toEqual([{ key: expect.stringMatching(/^[0-9a-f]{32}$/), params: { args: [2] } }]);
    expect(fetchUser.changed[0].changes).toEqual([
      { kind: 'changed', path: 'result.name', before: 'Ada', after: 'Ada Lovelace' },
      { kind: 'changed', path: 'result.roles.get("admin")', before: false, after: true },
      { kind: 'changed', path: 'result.items[2].name', before: 'c', after: 'z' },
    ]);
  });

  it('shows decoded values on both sides, absent ones as (absent), and a change of key order alone', () => {
    const old = writeDump('old.json', { result: { at: { $mt: 'D', v: 0 }, total: 1, extra: true } });
    const next = writeDump('new.json', { result: { at: { $mt: 'D', v: 86_400_000 }, total: { $mt: 'b', v: '1' } } });
    const lines = cli.run(['diff', old, next]).stdout.split('\n');
    expect(lines).toContain('      result.at: 1970-01-01T00:00:00.000Z → 1970-01-02T00:00:00.000Z');
    expect(lines).toContain('      result.total: 1 → 1n');
    expect(lines).toContain('      result.extra: true → (absent)');
    const reordered = writeDump('reordered.json', { result: { total: 1, at: { $mt: 'D', v: 0 }, extra: true } });
    expect(cli.run(['diff', old, reordered]).stdout).toContain('      result: same keys, in another order\n');
  });

  it('reports a change of promise, expiry and tags', () => {
    const old = writeDump('sync.json', { result: 1 });
    const next = writeDump('async.json', { result: 1, promise: true, expiresAt: 0, tags: ['nightly'] });
    const lines = cli.run(['diff', old, next]).stdout.split('\n');
    expect(lines).toContain('      promise: false → true');
    expect(lines).toContain('      expiresAt: (absent) → 1970-01-01T00:00:00.000Z');
    expect(lines).toContain('      tags[0]: (absent) → "nightly"');
  });

  it('exits 1 with one line when either side does not parse', () => {
    const broken = path.join(cli.folder(), 'broken.json');
    writeFileSync(broken, '{"version": 3, "collections": {}}');
    const result = cli.run(['diff', before, broken]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^memotape diff: .*broken\.json is not a valid dump file: its version 3 is not supported/,
    );
  });
});
