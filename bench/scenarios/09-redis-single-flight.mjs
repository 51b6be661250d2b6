import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectedClient, redisBuilds } from '../lib/redis-builds.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';

const COMPUTE_MS = 200;
// Quick mode proves the harness works; a shorter computation keeps it brief.
const QUICK_COMPUTE_MS = 50;
const PROCESS_COUNTS = [2, 6];
const FULL_REPETITIONS = 3;
const QUICK_REPETITIONS = 1;
const REPLY_TIMEOUT_MS = 30_000;
const workerScript = fileURLToPath(new URL('../lib/single-flight-worker.mjs', import.meta.url));

/** A worker process (bench/lib/single-flight-worker.mjs) driven by one JSON line per command. */
function startWorker(build, serverUrl) {
  const child = spawn(process.execPath, [workerScript, build.url, build.redisUrl, serverUrl], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  child.once('exit', (code, signal) => {
    for (const settle of waiting.splice(0)) settle({ ok: false, error: `worker exited (${signal ?? code})` });
  });
  return {
    /** Sends a command at once and answers its reply; rejects on an error reply, an exit or a timeout. */
    request(message) {
      const reply = new Promise((resolve) => waiting.push(resolve));
      child.stdin.write(`${JSON.stringify(message)}\n`);
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, error: `no reply to ${message.command}` }), REPLY_TIMEOUT_MS);
      });
      return Promise.race([reply, timeout]).then((answer) => {
        clearTimeout(timer);
        if (!answer.ok) throw new Error(answer.error);
        return answer;
      });
    },
    /** Ends its stdin (it exits by itself), and kills it by pid if it has not exited within 5 s. */
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * One race: `workers` prepare a fresh store and memoizer on a fresh prefix, then call the memoized function at
 * the same moment. Answers the computations counted in Redis and the wall time from "go" to the last answer.
 */
async function race(workers, client, { prefix, singleFlight, computeMs }) {
  await Promise.all(workers.map((worker) => worker.request({ command: 'prepare', prefix, singleFlight, computeMs })));
  const started = performance.now();
  await Promise.all(workers.map((worker) => worker.request({ command: 'go' })));
  const ms = performance.now() - started;
  await Promise.all(workers.map((worker) => worker.request({ command: 'close' })));
  const computations = Number(await client.get(`${prefix}:computations`));
  return { computations, ms };
}

const rowId = (buildId, count, singleFlight) => `${buildId}-n${count}-${singleFlight ? 'on' : 'off'}`;

/** Scenario 9: N processes miss one key at the same time, with and without single flight. */
export const scenario = {
  number: 9,
  title: 'Redis tier: N processes miss one key at once, with and without single flight',
  workload:
    `${PROCESS_COUNTS.join(' and ')} processes, each with its own Memoizer({ remote: RedisStore }) on a redis-server ` +
    'of its own (loopback), call the same memoized async function with the same argument at the same moment. The ' +
    `function counts itself (INCR on a separate key) and burns ${COMPUTE_MS} ms of CPU time. Computations: the ` +
    'count in Redis after a race (per process, the highest of its races); wall ms: from the start signal to the ' +
    `last process holding the value (per process, the median of its ${FULL_REPETITIONS} races).`,
  metrics: [
    { key: 'computations', label: 'computations' },
    { key: 'ms', label: 'wall ms' },
  ],
  baseline: rowId('memotape', PROCESS_COUNTS[0], false),
  targets: PROCESS_COUNTS.map((count) => ({
    label: `single flight: 1 computation for ${count} processes (every process)`,
    subject: rowId('memotape', count, true),
    metric: 'computations',
    kind: 'value',
    limit: 1,
  })),
  notes: [
    'With single flight (the default) one process takes a lease and computes; the others wait for a pub/sub ' +
      'message and read its value. With `singleFlight: false` every process computes and writes. The function ' +
      'burns CPU time, so with more processes than cores, computing everywhere takes longer than computing once.',
    'A value target is met only if every process meets it: its min–max is over processes.',
  ],
  async run(context) {
    const environment = await redisBuilds();
    if (environment.builds === undefined) return { ...environment, rows: [] };
    const repetitions = context.quick ? QUICK_REPETITIONS : FULL_REPETITIONS;
    const computeMs = context.quick ? QUICK_COMPUTE_MS : COMPUTE_MS;
    const server = await startRedisServer(environment.binary);
    const client = await connectedClient(environment.createClient, server.url);
    const rows = [];
    try {
      for (const build of environment.builds) {
        const workers = Array.from({ length: Math.max(...PROCESS_COUNTS) }, () => startWorker(build, server.url));
        try {
          for (const count of PROCESS_COUNTS) {
            for (const singleFlight of [false, true]) {
              const mode = singleFlight ? 'single flight (default)' : '`singleFlight: false`';
              const row = {
                id: rowId(build.id, count, singleFlight),
                label: `${build.label}, ${count} processes, ${mode}`,
                short: `${count} processes, no single flight`,
                baseline: rowId(build.id, count, false),
                values: {},
              };
              try {
                const races = [];
                for (let repetition = 0; repetition < repetitions; repetition++) {
                  const prefix = `bench-sf-${build.id}-${row.id}-${context.round}-${repetition}`;
                  races.push(await race(workers.slice(0, count), client, { prefix, singleFlight, computeMs }));
                }
                row.values.computations = Math.max(...races.map((result) => result.computations));
                row.values.ms = median(races.map((result) => result.ms));
              } catch (error) {
                row.error = error instanceof Error ? error.message : String(error);
              }
              rows.push(row);
            }
          }
        } finally {
          await Promise.all(workers.map((worker) => worker.stop()));
        }
      }
    } finally {
      client.destroy();
      await server.stop();
    }
    return rows;
  },
};
