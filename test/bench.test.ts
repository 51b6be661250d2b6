import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A smoke test of `npm run bench -- --quick`: the harness must keep running and printing every scenario's table.
// It checks that the benchmark works, never how fast anything is (timings on shared CI machines are noise).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scenarioNumbers = readdirSync(path.join(root, 'bench', 'scenarios'))
  .filter((name) => /^\d+-.*\.mjs$/.test(name))
  .map((name) => Number.parseInt(name, 10))
  .sort((left, right) => left - right);

describe('npm run bench -- --quick', () => {
  it('runs every scenario in child processes, prints a table per scenario and writes no docs', () => {
    const docs = path.join(root, 'docs', 'benchmarks.md');
    const docsModified = statSync(docs).mtimeMs;
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MEMOTAPE_')));
    const run = spawnSync(process.execPath, ['--expose-gc', 'bench/run.mjs', '--quick', '--no-write'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });

    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(scenarioNumbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const sections = run.stdout.split(/^### /m).slice(1);
    expect(sections.map((section) => Number.parseInt(section, 10))).toEqual(scenarioNumbers);
    for (const section of sections) {
      // Either the scenario's rows with their targets, or one row saying which module it waits for or, for the
      // Redis scenarios on a machine without redis-server, that it was skipped.
      expect(section).toMatch(/^\| benchmark \|/m);
      if (!/\| (pending|skipped): /.test(section)) {
        expect(section).toMatch(/^\| memotape/m);
        expect(section).toMatch(/^\| target \| measured/m);
        expect(section).toMatch(/\| (pass|MISS) \|/);
        expect(section).not.toMatch(/error: /);
      }
    }
    expect(run.stdout).toMatch(/Node v\d+\.\d+\.\d+ on .+ ×\d+/);
    expect(run.stdout).toMatch(/quick mode/);
    expect(statSync(docs).mtimeMs).toBe(docsModified);
  }, 180_000);
});
