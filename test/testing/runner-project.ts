import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtEntry, root, temporaryDirectory } from '../dump/helpers.js';

/*
 * A throwaway project in a temp dir for the real-runner tests: the files of test/fixtures/testing/<kind>/, the shared
 * github-client.mjs, and a node_modules/ in which `memotape` is the BUILT package (its package.json, with dist/
 * linked to the build) and `vitest` is the repository's own. Test files there import 'memotape/testing' exactly as a
 * user's tests do.
 */

const fixtures = path.join(root, 'test', 'fixtures', 'testing');

/** The built `memotape/testing` entry, beside the built main entry. */
export const builtTestingEntry = path.join(path.dirname(builtEntry), 'testing.js');

export interface RunnerProject {
  readonly directory: string;
  /** The fixture file the project's test records into. */
  readonly fixture: string;
  /** Where the project's test appends one JSON line per run. */
  readonly report: string;
  /** The lines the project's test reported, parsed. */
  reports(): Record<string, unknown>[];
}

export function createRunnerProject(kind: 'vitest' | 'node-test'): RunnerProject {
  const directory = temporaryDirectory(`memotape-${kind}-`);
  for (const name of readdirSync(path.join(fixtures, kind))) {
    copyFileSync(path.join(fixtures, kind, name), path.join(directory, name));
  }
  copyFileSync(path.join(fixtures, 'github-client.mjs'), path.join(directory, 'github-client.mjs'));
  const packageDirectory = path.join(directory, 'node_modules', 'memotape');
  mkdirSync(packageDirectory, { recursive: true });
  copyFileSync(path.join(root, 'package.json'), path.join(packageDirectory, 'package.json'));
  symlinkSync(path.dirname(builtEntry), path.join(packageDirectory, 'dist'), 'dir');
  if (kind === 'vitest')
    symlinkSync(path.join(root, 'node_modules', 'vitest'), path.join(directory, 'node_modules', 'vitest'), 'dir');
  const report = path.join(directory, 'report.jsonl');
  writeFileSync(report, '');
  return {
    directory,
    fixture: path.join(directory, '__fixtures__', 'github.json'),
    report,
    reports: () =>
      readFileSync(report, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface RunnerResult {
  readonly code: number | null;
  readonly output: string;
}

/** A clean environment: no MEMOTAPE_* variables and no CI unless `env` sets them. */
function childEnvironment(project: RunnerProject, env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(base)) {
    if (name.startsWith('MEMOTAPE_') || name.startsWith('VITEST') || name === 'CI' || name === 'NODE_OPTIONS') {
      delete base[name];
    }
  }
  delete base.NODE_TEST_CONTEXT;
  return { ...base, REPORT_FILE: project.report, NO_COLOR: '1', ...env };
}

function run(command: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunnerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Runs the project's tests with the repository's vitest, in the given pool. */
export function runVitest(
  project: RunnerProject,
  pool: 'forks' | 'threads',
  env: Record<string, string | undefined>,
): Promise<RunnerResult> {
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  if (!existsSync(vitest)) throw new Error(`${vitest} is missing`);
  const config = path.join(project.directory, 'vitest.config.mjs');
  return run(
    [vitest, 'run', '--root', project.directory, '--config', config, `--pool=${pool}`],
    project.directory,
    childEnvironment(project, env),
  );
}

/** Runs the project's tests with `node --test`. */
export function runNodeTest(project: RunnerProject, env: Record<string, string | undefined>): Promise<RunnerResult> {
  return run(['--test', 'github.test.mjs'], project.directory, childEnvironment(project, env));
}
