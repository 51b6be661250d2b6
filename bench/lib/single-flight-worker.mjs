/**
 * One of the N processes of scenario 9 (single flight across processes). Started by the scenario with
 *   node bench/lib/single-flight-worker.mjs <memotape entry URL> <memotape/redis entry URL> <redis URL>
 * it answers one JSON line per JSON command line on stdin:
 *   {"command":"prepare","prefix":...,"singleFlight":bool,"computeMs":n}  a fresh RedisStore + Memoizer, connected
 *   {"command":"go"}     calls the memoized function once; answers the call's duration and remote hits
 *   {"command":"close"}  closes the store (waiting for its writes)
 * and exits when stdin ends (so it never outlives the scenario process).
 */
import { createInterface } from 'node:readline';
import { createClient } from 'redis';

const [indexUrl, redisEntryUrl, serverUrl] = process.argv.slice(2);
const { Memoizer } = await import(indexUrl);
const { RedisStore } = await import(redisEntryUrl);

// Counts computations across processes: INCR is atomic, so the count is exact whatever the interleaving.
const counter = createClient({ url: serverUrl });
counter.on('error', () => {});
await counter.connect();

/** Burns `ms` of this process's CPU time (not wall time), so N computations on fewer cores take longer. */
function burnCpu(ms) {
  const start = process.cpuUsage();
  let sink = 0;
  for (;;) {
    for (let step = 0; step < 10_000; step++) sink += Math.sqrt(step + sink);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return sink;
  }
}

let current;

const commands = {
  async prepare({ prefix, singleFlight, computeMs }) {
    const remote = new RedisStore({ url: serverUrl, prefix, singleFlight });
    // Waits for the connection, so the timed call does not include the handshake.
    await remote.get('0'.repeat(32));
    if (remote.circuit !== 'closed') throw new Error('the Redis tier is not reachable');
    const memoizer = new Memoizer({ remote });
    const report = memoizer.memoize({ name: 'buildReport' })(async (id) => {
      await counter.incr(`${prefix}:computations`);
      burnCpu(computeMs);
      return { id, title: `report-${id}`, rows: Array.from({ length: 8 }, (_, row) => ({ row, total: row * id })) };
    });
    current = { remote, memoizer, report };
    return {};
  },
  async go() {
    const started = performance.now();
    const value = await current.report(42);
    const ms = performance.now() - started;
    if (value.id !== 42 || value.rows.length !== 8) throw new Error('wrong value');
    return { ms, remoteHits: current.memoizer.stats().hits.remote };
  },
  async close() {
    await current.remote.close();
    current = undefined;
    return {};
  },
};

const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const { command, ...args } = JSON.parse(line);
  try {
    reply({ ok: true, ...(await commands[command](args)) });
  } catch (error) {
    reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}
await current?.remote.close();
counter.destroy();
