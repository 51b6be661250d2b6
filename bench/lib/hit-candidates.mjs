import { cyclingBench, timePerCall } from './measure.mjs';

/**
 * A function with exactly `arity` declared parameters that counts its calls. Declared parameters matter: memoizee
 * and fast-memoize choose their keying strategy from `fn.length`.
 */
export function countingFunction(arity, compute, { async = false } = {}) {
  const counter = { calls: 0 };
  const params = Array.from({ length: arity }, (_, position) => `p${position}`).join(', ');
  const fn = new Function(
    'counter',
    'compute',
    `return ${async ? 'async ' : ''}function underlying(${params}) { counter.calls++; return compute(${params}); };`,
  )(counter, compute);
  return { fn, calls: () => counter.calls };
}

/**
 * A hit-path candidate: `wrap(fn)` memoizes the counting function; every input is called twice to warm the cache,
 * then the bench cycles through the inputs. The row is an error (not a number) if the underlying function runs
 * while timed, i.e. if the candidate did not actually hit.
 */
export function candidate(id, label, wrap, overrides = {}) {
  return { id, label, wrap, overrides };
}

function rotate(list, by) {
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/**
 * Measures every candidate on `inputs` (rotating their order by `round`, so no candidate always runs first) and
 * returns rows in the declared order. A candidate's `overrides` may replace the workload's `inputs` and `arity`
 * (the raw Map.get baseline looks up precomputed keys instead of arguments).
 */
export async function runHitCandidates(candidates, workload, context) {
  const rows = new Map();
  for (const entry of rotate(candidates, context.round)) {
    const { inputs, arity = 1, awaited = false, compute } = { ...workload, ...entry.overrides };
    const row = { id: entry.id, label: entry.label, values: {} };
    try {
      const underlying = countingFunction(arity, compute, { async: awaited });
      const call = entry.wrap(underlying.fn);
      for (let pass = 0; pass < 2; pass++) {
        for (const input of inputs) {
          const result = arity === 1 ? call(input) : call(...input);
          if (awaited) await result;
        }
      }
      const before = underlying.calls();
      const bench = cyclingBench(entry.label, call, inputs, { arity, awaited });
      const ns = await timePerCall(bench, context);
      const recomputed = underlying.calls() - before;
      if (recomputed > 0) row.error = `not a cache hit: the function ran ${recomputed} times while timed`;
      else row.values.ns = ns;
    } catch (error) {
      row.error = error instanceof Error ? error.message : String(error);
    }
    rows.set(entry.id, row);
  }
  return candidates.map((entry) => rows.get(entry.id));
}
