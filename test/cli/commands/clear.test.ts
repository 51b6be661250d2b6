import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordCache, useInstalledCli } from '../helpers.js';

const cli = useInstalledCli();

const DUMP = '{"cache_size":0,"collections":{},"version":1}\n';

describe('memotape clear', () => {
  it('removes every sub dir of the cache dir and leaves the exit dump alone', () => {
    const cacheDir = recordCache(cli);
    writeFileSync(path.join(cacheDir, 'memoizer_cache.json'), DUMP);
    const result = cli.run(['clear', cacheDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^${cacheDir}: cleared 2 sub dirs \\(_default, should-pad\\): 5 entries, [\\d.]+ k?B\\n$`),
    );
    expect(readdirSync(path.join(cacheDir, 'disk-v1'))).toEqual([]);
    expect(readFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'utf8')).toBe(DUMP);
  });

  it('removes only --sub-dir when it is given', () => {
    const cacheDir = recordCache(cli);
    const result = cli.run(['clear', cacheDir, '--sub-dir', 'should-pad', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      cacheDir,
      cleared: [{ subDir: 'should-pad', entries: 2, bytes: expect.any(Number) }],
      entries: 2,
      bytes: expect.any(Number),
      errors: [],
    });
    expect(existsSync(path.join(cacheDir, 'disk-v1', 'should-pad'))).toBe(false);
    expect(JSON.parse(cli.run(['ls', cacheDir, '--json']).stdout).entries).toBe(3);
  });

  it('clears the store folder it is given, as that sub dir', () => {
    const cacheDir = recordCache(cli);
    expect(cli.run(['clear', path.join(cacheDir, 'disk-v1', '_default')]).stdout).toContain(
      'cleared 1 sub dir (_default)',
    );
    expect(existsSync(path.join(cacheDir, 'disk-v1', 'should-pad'))).toBe(true);
  });

  it('says there is nothing to clear for a sub dir it does not have, naming those it has', () => {
    const cacheDir = recordCache(cli);
    const result = cli.run(['clear', cacheDir, '--sub-dir', 'shouldpad']);
    expect(result).toEqual({
      code: 0,
      stdout: `${cacheDir}: nothing to clear in sub dir shouldpad (its sub dirs: _default, should-pad)\n`,
      stderr: '',
    });
  });

  it('exits 2 for a --sub-dir that is not one folder name, touching nothing', () => {
    const cacheDir = recordCache(cli);
    for (const subDir of ['../elsewhere', '.hidden', '']) {
      const result = cli.run(['clear', cacheDir, `--sub-dir=${subDir}`]);
      expect(result.code, subDir).toBe(2);
      expect(result.stderr, subDir).toContain('--sub-dir takes one folder name');
    }
    expect(JSON.parse(cli.run(['ls', cacheDir, '--json']).stdout).entries).toBe(5);
  });
});
