import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryFiles, recordCache, recordDump, useInstalledCli } from '../helpers.js';

let cleanDump: string;
let leakyDump: string;

const TOKEN = 'sk_live_4f9a8b7c6d5e';

const cli = useInstalledCli((installed) => {
  cleanDump = recordDump(installed, 'a');
  leakyDump = recordDump(installed, 'a', { LEAK: TOKEN });
});

/** Writes a dump file by hand, with one entry of `report` whose result is `result`. */
function writeDump(name: string, result: unknown): string {
  const file = path.join(cli.folder(), name);
  const entry = { namespace: 'report', params: { args: [] }, promise: false, result };
  writeFileSync(
    file,
    JSON.stringify({ cache_size: 1, collections: { null: { ['c'.repeat(32)]: entry } }, version: 1 }),
  );
  return file;
}

describe('memotape check <file...>', () => {
  it('passes valid dump files and cache dirs with exit 0', () => {
    const cacheDir = recordCache(cli);
    const result = cli.run(['check', cleanDump, cacheDir]);
    expect(result).toEqual({
      code: 0,
      stdout: `${cleanDump}: ok, 4 entries\n${cacheDir}: ok, 5 entries\nno problems in 2 checked paths\n`,
      stderr: '',
    });
  });

  it('reports a file that is not JSON, not a dump, or another version, one line each, with exit 1', () => {
    const folder = cli.folder();
    const files = { 'garbage.json': '{"cache_size":', 'array.json': '[]', 'v2.json': '{"version":2,"collections":{}}' };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
    const paths = Object.keys(files).map((name) => path.join(folder, name));
    const result = cli.run(['check', cleanDump, ...paths]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${cleanDump}: ok, 4 entries`);
    expect(lines[1]).toBe(`${paths[0]}: 1 problem`);
    expect(lines[2]).toMatch(/^ {2}.*garbage\.json is not a valid dump file: it is not JSON/);
    expect(lines[4]).toMatch(/^ {2}.*array\.json is not a valid dump file: the top level must be an object/);
    expect(lines[6]).toMatch(/^ {2}.*v2\.json is not a valid dump file: its version 2 is not supported/);
    expect(lines[7]).toBe('3 problems in 4 checked paths');
  });

  it('reports a recorded value that does not decode, with its path', () => {
    const file = writeDump('hand-edited.json', { at: { $mt: 'Q', v: 1 } });
    const result = cli.run(['check', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `  collection null, report, key ${'c'.repeat(32)}: does not decode: result.at: a tagged value with an unknown tag "Q"\n`,
    );
  });

  it('finds the values of --secret variables, never printing them, and exits 1', () => {
    const result = cli.run(['check', leakyDump, cleanDump, '--secret', 'API_TOKEN'], { API_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${leakyDump}: 2 problems in 4 entries`);
    expect(lines[1]).toMatch(
      /^ {2}collection null, fetchUser, key [0-9a-f]{32}: holds the value of API_TOKEN at result\.token$/,
    );
    expect(lines).toContain(`${cleanDump}: ok, 4 entries`);
    expect(lines.at(-1)).toBe('2 problems in 2 checked paths, searched for 1 secret');
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('finds a secret hidden in base64, as in a Basic authorization header', () => {
    const basic = `Basic ${Buffer.from(`ada:${TOKEN}`).toString('base64')}`;
    const file = writeDump('basic.json', { headers: { authorization: basic } });
    const result = cli.run(['check', file, '--secret', 'API_TOKEN', '--json'], { API_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: false, problems: 1, secrets: { scanned: ['API_TOKEN'], unset: [] } });
    expect(report.checked[0].problems).toEqual([
      {
        kind: 'secret',
        message: 'holds the value of API_TOKEN (base64-encoded) at result.headers.authorization',
        collection: 'null',
        key: 'c'.repeat(32),
        namespace: 'report',
        path: 'result.headers.authorization',
        secretName: 'API_TOKEN',
        encoding: 'base64',
      },
    ]);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('skips a --secret variable that is not set, saying so on stderr (exit 0 when nothing else is wrong)', () => {
    const result = cli.run(['check', leakyDump, '--secret', 'NOT_SET_HERE']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'memotape check: NOT_SET_HERE is not set (or empty), so its value was not searched for\n',
    );
  });

  it('refuses a --secret that is not a variable name without echoing it (exit 2)', () => {
    const result = cli.run(['check', leakyDump, '--secret', TOKEN.replace('_', '-')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--secret takes the name of an environment variable');
    expect(result.stderr).not.toContain(TOKEN.slice(3));
  });
});

describe('memotape check <cache dir>', () => {
  it("verifies each entry file's checksum and version, and checks the cache dir's exit dump", () => {
    const cacheDir = recordCache(cli);
    const [first, second] = [...entryFiles(cacheDir, 'should-pad').entries()];
    // One changed byte inside the entry: its checksum no longer matches.
    writeFileSync(first![1], readFileSync(first![1], 'utf8').replace('"at":', '"At":'));
    writeFileSync(second![1], readFileSync(second![1], 'utf8').replace('"version":1', '"version":2'));
    writeFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'not json');
    const result = cli.run(['check', cacheDir]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${cacheDir}: 2 problems in 5 entries`);
    expect(lines).toContain(`  sub dir should-pad, key ${first![0]}: damaged entry file (bad checksum): ${first![1]}`);
    expect(lines).toContain(
      `  sub dir should-pad, key ${second![0]}: damaged entry file (wrong version): ${second![1]}`,
    );
    expect(lines).toContain(`${path.join(cacheDir, 'memoizer_cache.json')}: 1 problem`);
    expect(lines.at(-1)).toBe('3 problems in 2 checked paths');
  });

  it('exits 2 for a folder that is not a cache dir, rather than passing files it never read', () => {
    const folder = cli.folder('fixtures-');
    writeFileSync(path.join(folder, 'github.json'), '{"version": 1, "collections": {}}');
    const result = cli.run(['check', folder]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${folder} is not a cache dir (it has no disk-v1 folder and no memoizer_cache.json)`,
    );
    expect(result.stderr).toContain(`give dump or fixture files by name, e.g. ${path.join(folder, '*.json')}`);
  });

  it('searches disk entries for secret values too', () => {
    const cacheDir = recordCache(cli);
    // keepSize(100) and keepSize(200) recorded runs of x: a "secret" of eight x's is in both.
    const result = cli.run(['check', cacheDir, '--secret', 'RUN_OF_X'], { RUN_OF_X: 'xxxxxxxx' });
    expect(result.code).toBe(1);
    const leaks = result.stdout.split('\n').filter((line) => line.includes('holds the value of RUN_OF_X at result'));
    expect(leaks).toHaveLength(2);
    expect(leaks[0]).toMatch(/^ {2}sub dir _default, keepSize, key [0-9a-f]{32}: /);
  });
});
