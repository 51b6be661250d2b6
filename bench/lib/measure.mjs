import { spawnSync } from 'node:child_process';
import { do_not_optimize, measure } from 'mitata';

export { do_not_optimize };

/** Time budget per mitata measurement (ns of CPU time): mitata's default is 642 ms. */
const FULL_BUDGET_NS = 300e6;
const QUICK_BUDGET_NS = 10e6;

let measurementIndex = 0;

/**
 * The median (p50) ns per call of `bench`, measured by mitata. A bench that returns a promise is awaited per call.
 *
 * mitata compiles its timing loop from source with `new AsyncFunction`; V8 caches identical sources together with
 * their type feedback, so every bench of a process would share one `$fn()` call site and later rows would run
 * against polymorphic feedback. A distinct `max_samples` (never reached) makes each loop's source unique.
 */
export async function timePerCall(bench, { quick }) {
  measurementIndex++;
  const stats = await measure(bench, {
    min_cpu_time: quick ? QUICK_BUDGET_NS : FULL_BUDGET_NS,
    max_samples: 1e9 + measurementIndex,
  });
  return stats.p50;
}

/**
 * Builds the bench closure `() => call(...inputs[i++ % inputs.length])` as a fresh function compiled from its own
 * source, so no two benches share type feedback (closures from one literal would). `arity` is the number of
 * arguments spread from each input (1: the input itself is the argument). Sync results go through
 * `do_not_optimize`; async results are returned so mitata awaits them. `inputs.length` must be a power of two.
 */
export function cyclingBench(label, call, inputs, { arity = 1, awaited = false } = {}) {
  if ((inputs.length & (inputs.length - 1)) !== 0) throw new Error('inputs.length must be a power of two');
  const args = arity === 1 ? 'input' : Array.from({ length: arity }, (_, position) => `input[${position}]`).join(', ');
  const source = `/* ${label.replaceAll('*/', '')} */
    let index = 0;
    return () => {
      const input = inputs[index++ & ${inputs.length - 1}];
      return ${awaited ? `call(${args})` : `doNotOptimize(call(${args}))`};
    };`;
  return new Function('call', 'inputs', 'doNotOptimize', source)(call, inputs, do_not_optimize);
}

/** Wall-clock ns of an (optionally async) function, via the monotonic high-resolution clock. */
export async function timeOnce(run) {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start);
}

/** Forces full garbage collections (the runner starts children with --expose-gc) and answers the heap in use. */
export function settledHeapUsed() {
  if (typeof globalThis.gc !== 'function') throw new Error('run the benchmark with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Asks the OS to write dirty pages out (the `sync` command, untimed) before a timed disk phase, so a phase does not
 * pay for the writeback of the previous one. Skipped where the command does not exist.
 */
export function syncDisks() {
  spawnSync('sync', { stdio: 'ignore' });
}
