/**
 * `npm run bench`: runs every scenario in bench/scenarios/ in separate child processes (3 per scenario, so one
 * noisy process cannot decide a result), prints one Markdown table per scenario and rewrites the generated part of
 * docs/benchmarks.md.
 *
 *   node --expose-gc bench/run.mjs [--quick] [--no-write | --write] [--rounds=<n>] [--only=<n>,<n>] [--compare=<dir>]
 *
 * --compare=<dir> also measures the memotape build in <dir>/dist (e.g. an export of the previous commit, built),
 * in the same processes, as rows "memotape at <dir>".
 * --quick runs every scenario briefly (for CI: it proves the harness runs, not how fast anything is). Only a full
 * run of every scenario without --compare rewrites the docs (a partial or comparing run would replace every table
 * with a few, or add rows of another build); --write forces it, --no-write prevents it. Exits 1 when a process crashed or a row failed; missed targets do not.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregateScenario } from './lib/aggregate.mjs';
import { RESULT_MARK } from './lib/protocol.mjs';
import { formatRunHeader, formatScenario, writeReport } from './report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const args = process.argv.slice(2);
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const rounds = Number(option('rounds') ?? 3);
const only = option('only')?.split(',').map(Number);
const compare = option('compare');
const write =
  args.includes('--write') || (!quick && only === undefined && compare === undefined && !args.includes('--no-write'));
if (!Number.isInteger(rounds) || rounds < 1) throw new TypeError('`--rounds` must be a positive integer');

const scenarioFiles = readdirSync(path.join(benchDir, 'scenarios'))
  .filter((name) => /^\d+-.*\.mjs$/.test(name))
  .sort()
  .filter((name) => only === undefined || only.includes(Number.parseInt(name, 10)));

// Settings a user exported (MEMOTAPE_DUMP, MEMOTAPE_DISABLE...) must not change what is measured.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MEMOTAPE_')));
if (compare !== undefined) childEnv.BENCH_COMPARE_DIST = path.resolve(compare);

function runChild(file, round) {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      path.join(benchDir, 'child.mjs'),
      path.join(benchDir, 'scenarios', file),
      `--round=${round}`,
    ].concat(quick ? ['--quick'] : []),
    { cwd: rootDir, env: childEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: (quick ? 60 : 240) * 1e3 },
  );
  if (child.stderr) process.stderr.write(child.stderr);
  const line = child.stdout?.split('\n').find((text) => text.startsWith(RESULT_MARK));
  if (child.status !== 0 || line === undefined) {
    const reason = child.error?.message ?? (child.signal ? `signal ${child.signal}` : `exit code ${child.status}`);
    return { error: `${file} (process ${round + 1}): ${reason}` };
  }
  return JSON.parse(line.slice(RESULT_MARK.length));
}

const started = Date.now();
const scenarios = [];
for (const file of scenarioFiles) {
  const results = [];
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`bench: ${file} process ${round + 1}/${rounds}\n`);
    results.push(runChild(file, round));
  }
  const scenario = aggregateScenario(results);
  if (scenario.number === undefined) scenario.number = Number.parseInt(file, 10);
  if (scenario.title === undefined) scenario.title = file;
  scenarios.push(scenario);
  process.stdout.write(`${formatScenario(scenario)}\n\n`);
}

const mitataVersion = JSON.parse(readFileSync(path.join(rootDir, 'node_modules/mitata/package.json'), 'utf8')).version;
const cpus = os.cpus();
const system = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus.length,
  platform: `${os.platform()} ${os.arch()}`,
  mitata: mitataVersion,
  mode: quick ? 'quick mode (brief runs: numbers are not meaningful)' : 'full run',
  rounds,
  seconds: Math.round((Date.now() - started) / 1000),
};
process.stdout.write(`${formatRunHeader(system)}\n`);
if (write) {
  const file = path.join(rootDir, 'docs', 'benchmarks.md');
  writeReport(file, system, scenarios);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

const failed = scenarios.some(
  (scenario) => scenario.errors.length > 0 || scenario.rows.some((row) => row.errors.length),
);
process.exitCode = failed ? 1 : 0;
