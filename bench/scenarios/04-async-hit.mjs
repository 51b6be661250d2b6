import memoize from 'memoize';
import memoizee from 'memoizee';
import { memoize as microMemoize } from 'micro-memoize';
import pMemoize from 'p-memoize';
import { rawMapLookup } from '../lib/baselines.mjs';
import { candidate, runHitCandidates } from '../lib/hit-candidates.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';

const WARM_KEYS = 1024;
const keys = Array.from({ length: WARM_KEYS }, (_, index) => index * 7 + 1);
const resolved = Promise.resolve(1);
const resolvedList = keys.map((key) => Promise.resolve(key));

/** Scenario 4: awaited hits of an async function; the floor is the await itself. */
export const scenario = {
  number: 4,
  title: 'async hit, awaited',
  workload:
    `await f(n) for ${WARM_KEYS} distinct numbers, each cached (resolved), called round-robin; mitata awaits ` +
    'every call. p50 ns per call.',
  metrics: [{ key: 'ns', label: 'ns/op' }],
  baseline: 'await-floor',
  baselineLabel: 'pre-resolved await',
  targets: [
    {
      label: 'memotape ≤ 1.3× the pre-resolved await',
      subject: 'memotape',
      against: ['await-floor'],
      metric: 'ns',
      limit: 1.3,
    },
    { label: 'memotape faster than p-memoize', subject: 'memotape', against: ['p-memoize'], metric: 'ns', limit: 1 },
    {
      label: 'memotape faster than memoizee (either mode)',
      subject: 'memotape',
      against: ['memoizee', 'memoizee-primitive'],
      metric: 'ns',
      limit: 1,
    },
    {
      label: 'memotape faster than micro-memoize',
      subject: 'memotape',
      against: ['micro-memoize'],
      metric: 'ns',
      limit: 1,
    },
  ],
  notes: [
    'Any memoizer needs a lookup per call: the "Map of promises" row (a Map.get by the number, then the await) is ' +
      'the floor of a Map-based async memoizer, and in this awaited loop the Map.get costs far more than in the ' +
      'sync scenarios.',
    'memoize (sindresorhus) stores the returned promise as is, rejected ones included; p-memoize, memoizee ' +
      '{promise:true}, micro-memoize {async:true} and memotape drop rejections.',
  ],
  async run(context) {
    return runHitCandidates(
      [
        candidate('await-floor', 'base: await of a pre-resolved promise', () => () => resolved),
        candidate(
          'await-cycled',
          'base: await of 1024 pre-resolved promises, round-robin',
          () => (promise) => promise,
          {
            inputs: resolvedList,
          },
        ),
        candidate('map-of-promises', 'base: Map of promises, get by the number', (fn) => rawMapLookup(keys, fn)),
        ...memotapeBuilds.map(({ id, label, module }) =>
          candidate(id, `${label} Memoizer.memoize()`, (fn) => new module.Memoizer().memoize({ name: 'fetch' })(fn)),
        ),
        candidate('p-memoize', 'p-memoize default', (fn) => pMemoize(fn)),
        candidate('memoizee', 'memoizee {promise:true} (linear indexOf)', (fn) => memoizee(fn, { promise: true })),
        candidate('memoizee-primitive', 'memoizee {promise:true, primitive:true} (1 and "1" collide)', (fn) =>
          memoizee(fn, { promise: true, primitive: true }),
        ),
        candidate('micro-memoize', 'micro-memoize {async:true, maxSize:1e9} (linear scan)', (fn) =>
          microMemoize(fn, { async: true, maxSize: 1e9 }),
        ),
        candidate('memoize', 'memoize (sindresorhus) default (caches the promise, rejections too)', (fn) =>
          memoize(fn),
        ),
      ],
      { inputs: keys, awaited: true, compute: (n) => n * 2 },
      context,
    );
  },
};
