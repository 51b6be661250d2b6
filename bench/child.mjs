/**
 * Runs one scenario in this (fresh) process and prints its rows as one JSON line prefixed with RESULT_MARK, so
 * stray output from a library cannot corrupt it. Usage: node --expose-gc bench/child.mjs <scenario file>
 * --round=<n> [--quick]. Started by bench/run.mjs; runnable alone to profile one scenario (node --cpu-prof).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RESULT_MARK } from './lib/protocol.mjs';

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --expose-gc bench/child.mjs <scenario file> [--round=<n>] [--quick]');
  process.exit(2);
}
const round = Number(flags.find((flag) => flag.startsWith('--round='))?.slice('--round='.length) ?? 0);
const context = { quick: flags.includes('--quick'), round };

const { scenario } = await import(pathToFileURL(path.resolve(file)).href);
const { run, ...meta } = scenario;
const started = process.hrtime.bigint();
const outcome = await run(context);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const result = Array.isArray(outcome) ? { rows: outcome } : outcome;
process.stdout.write(`${RESULT_MARK}${JSON.stringify({ ...meta, ...result, seconds })}\n`);
