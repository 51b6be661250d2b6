import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, useInstalledCli } from './helpers.js';

const cli = useInstalledCli();

const COMMANDS = ['ls', 'show', 'diff', 'merge', 'check', 'prune', 'clear'];

/** A usage error: nothing on stdout, one line saying what is wrong, one line pointing at --help. */
function expectUsageError(args: string[], message: string, helpCommand: string): void {
  const result = cli.run(args);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain(message);
  expect(lines[1]).toBe(`Run '${helpCommand} --help' for usage.`);
}

describe('memotape (the installed bin)', () => {
  it('lists every command in --help and exits 0', () => {
    const result = cli.run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: memotape <command>/);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 fine, 1 problems found, 2 usage error.');
    expect(cli.run(['help']).stdout).toBe(result.stdout);
  });

  it('gives every command a --help with its usage line, and `help <command>` prints the same', () => {
    for (const command of COMMANDS) {
      const result = cli.run([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^Usage: memotape ${command} `));
      expect(result.stdout, command).toContain('--json');
      expect(result.stdout, command).toContain('Exit codes:');
      expect(cli.run(['help', command]).stdout, command).toBe(result.stdout);
    }
  });

  it('prints --help even when the rest of the command line is wrong', () => {
    const result = cli.run(['prune', '--no-such-option', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: memotape prune /);
  });

  it('prints the package version for --version', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(cli.run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 with one line and a hint to --help for a missing or unknown command', () => {
    expectUsageError([], 'memotape: missing command', 'memotape');
    expectUsageError(['lss'], "memotape: unknown command 'lss'", 'memotape');
    expectUsageError(['--json', 'ls'], "unknown option '--json' (options go after the command)", 'memotape');
  });

  it('exits 2 for an unknown option, a missing value, and missing or extra arguments', () => {
    expectUsageError(['ls', 'x.json', '--nope'], "memotape ls: unknown option '--nope'", 'memotape ls');
    expectUsageError(['show', 'x.json', '--fn'], 'memotape show: --fn needs a value', 'memotape show');
    expectUsageError(['ls'], 'memotape ls: missing a dump file or a cache dir', 'memotape ls');
    expectUsageError(['diff', 'a.json'], 'memotape diff: missing two dump files or cache dirs', 'memotape diff');
    expectUsageError(['ls', 'a.json', 'b.json'], 'memotape ls: too many arguments', 'memotape ls');
    expectUsageError(
      ['prune', '.', '--dry-run=yes'],
      "memotape prune: option '--dry-run' does not take",
      'memotape prune',
    );
  });

  it('exits 2 for a path that does not exist', () => {
    expectUsageError(['ls', 'no-such-file.json'], 'memotape ls: no such file: no-such-file.json', 'memotape ls');
    expectUsageError(['prune', 'no-such-dir'], 'memotape prune: no such folder: no-such-dir', 'memotape prune');
  });
});
