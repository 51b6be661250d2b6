import fastMemoize from 'fast-memoize';
import lodashMemoize from 'lodash.memoize';
import memoize from 'memoize';
import memoizee from 'memoizee';
import { jsonMapMemoize, stableMapMemoize } from '../lib/baselines.mjs';
import { countingFunction } from '../lib/hit-candidates.mjs';
import { settledHeapUsed, timeOnce } from '../lib/measure.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';

const FULL_CALLS = 100_000;
const QUICK_CALLS = 10_000;
const WARMUP_CALLS = 10_000;
// Spaced integers, like ids: consecutive ones from 0 would let object-backed caches use a dense array (8 bytes each).
const argumentOf = (index) => 1_000_000 + index * 7919;

/** A Map keyed by the number itself: the floor of any Map-based memoizer. */
function argumentMapMemoize(fn) {
  const cache = new Map();
  return (value) => {
    const cached = cache.get(value);
    if (cached !== undefined || cache.has(value)) return cached;
    const result = fn(value);
    cache.set(value, result);
    return result;
  };
}

const candidates = [
  { id: 'stable-map', label: 'base: Map by fast-json-stable-stringify(args)', wrap: stableMapMemoize },
  { id: 'json-map', label: 'base: Map by JSON.stringify(args)', wrap: jsonMapMemoize },
  { id: 'argument-map', label: 'base: Map by the number itself (floor)', wrap: argumentMapMemoize },
  ...memotapeBuilds.map(({ id, label, module }) => ({
    id,
    label: `${label} Memoizer.memoize()`,
    wrap: (fn) => new module.Memoizer().memoize({ name: 'double' })(fn),
  })),
  { id: 'memoizee-primitive', label: 'memoizee {primitive:true}', wrap: (fn) => memoizee(fn, { primitive: true }) },
  { id: 'memoize', label: 'memoize (sindresorhus) default', wrap: (fn) => memoize(fn) },
  { id: 'fast-memoize', label: 'fast-memoize default', wrap: (fn) => fastMemoize(fn) },
  { id: 'lodash', label: 'lodash.memoize default', wrap: (fn) => lodashMemoize(fn) },
];

/** Runs `calls` distinct calls on a fresh memoized function; answers ns per call and heap bytes per entry. */
async function measureInserts(entry, calls, offset) {
  const underlying = countingFunction(1, (n) => n * 2);
  const before = settledHeapUsed();
  const memoized = entry.wrap(underlying.fn);
  const ns = await timeOnce(() => {
    for (let index = 0; index < calls; index++) memoized(argumentOf(offset + index));
  });
  // Measured while the memoized function is alive: what it holds after a full GC, over what the heap held before.
  const bytes = (settledHeapUsed() - before) / calls;
  if (underlying.calls() !== calls) throw new Error(`expected ${calls} misses, got ${underlying.calls()}`);
  if (memoized(argumentOf(offset)) !== argumentOf(offset) * 2 || underlying.calls() !== calls) {
    throw new Error('the first call was not cached');
  }
  return { ns: ns / calls, bytes };
}

/** Scenario 5: misses that insert, and the heap each cached entry keeps. */
export const scenario = {
  number: 5,
  title: 'miss + insert, 100k distinct calls; heap per entry after GC',
  workload:
    `f(n) for ${FULL_CALLS.toLocaleString('en-US')} distinct spaced integers (1e6 + 7919·i) on a fresh memoized function (after a ` +
    `${WARMUP_CALLS.toLocaleString('en-US')}-call warm-up on another one); results are small integers, so bytes ` +
    'are the cache itself. Bytes per entry: heap used after 2× gc() with the function alive, minus before it was created.',
  metrics: [
    { key: 'ns', label: 'ns/call' },
    { key: 'bytes', label: 'bytes/entry' },
  ],
  baseline: 'stable-map',
  baselineLabel: 'stable-stringify Map',
  targets: [
    {
      label: 'memotape time ≤ 2× the stable-stringify Map',
      subject: 'memotape',
      against: ['stable-map'],
      metric: 'ns',
      limit: 2,
    },
    {
      label: 'memotape heap per entry ≤ 2.5× the stable-stringify Map',
      subject: 'memotape',
      against: ['stable-map'],
      metric: 'bytes',
      limit: 2.5,
    },
  ],
  notes: [
    'micro-memoize and memoizee default are left out: both scan their keys linearly, so 100k inserts take minutes.',
    'memotape keeps, per entry, the arguments (for dumps and persisted tiers), creation and expiry times and LRU ' +
      'links; a plain Map keeps only the key string and the value.',
  ],
  async run(context) {
    const calls = context.quick ? QUICK_CALLS : FULL_CALLS;
    const rows = [];
    const shift = context.round % candidates.length;
    const ordered = [...candidates.slice(shift), ...candidates.slice(0, shift)];
    for (const entry of ordered) {
      const row = { id: entry.id, label: entry.label, values: {} };
      try {
        await measureInserts(entry, WARMUP_CALLS, calls);
        const { ns, bytes } = await measureInserts(entry, calls, 0);
        row.values = { ns, bytes };
      } catch (error) {
        row.error = error instanceof Error ? error.message : String(error);
      }
      rows.push(row);
    }
    return candidates.map((entry) => rows.find((row) => row.id === entry.id));
  },
};
