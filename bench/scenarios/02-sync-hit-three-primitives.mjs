import fastMemoize from 'fast-memoize';
import lodashMemoize from 'lodash.memoize';
import memoize from 'memoize';
import memoizee from 'memoizee';
import { memoize as microMemoize } from 'micro-memoize';
import { jsonMapMemoize, rawMapLookup, stableMapMemoize } from '../lib/baselines.mjs';
import { candidate, runHitCandidates } from '../lib/hit-candidates.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';

const WARM_KEYS = 1024;
const inputs = Array.from({ length: WARM_KEYS }, (_, index) => [
  index * 7 + 1,
  `user-${index & 63}`,
  (index & 1) === 0,
]);
// The denominator looks up a key computed ahead of time (flat strings, their hashes cached by V8).
const precomputedKeys = inputs.map((input) => JSON.stringify(input));
const PEERS_KEYING_ALL_ARGUMENTS = [
  'memoizee',
  'memoizee-primitive',
  'memoize-json',
  'memoize-join',
  'micro-memoize',
  'fast-memoize',
  'lodash-json',
];

/** Scenario 2: a hit with three primitive arguments, where every memoizer must combine them into one key. */
export const scenario = {
  number: 2,
  title: 'sync hit, 3 primitive args (number, string, boolean)',
  workload: `f(n, s, b) for ${WARM_KEYS} distinct argument lists, each cached, called round-robin. mitata p50 ns per call.`,
  metrics: [{ key: 'ns', label: 'ns/op' }],
  baseline: 'raw-map-get',
  baselineLabel: 'raw Map.get',
  targets: [
    { label: 'memotape ≤ 10× raw Map.get', subject: 'memotape', against: ['raw-map-get'], metric: 'ns', limit: 10 },
    {
      label: 'memotape faster than every peer keying on all arguments (÷ fastest of them)',
      subject: 'memotape',
      against: PEERS_KEYING_ALL_ARGUMENTS,
      metric: 'ns',
      limit: 1,
    },
  ],
  notes: [
    'Peers keying on all arguments (the second target): memoizee (both modes), memoize with either cacheKey, ' +
      'micro-memoize, fast-memoize and lodash.memoize with a resolver. The rows marked "1st arg only" are shown ' +
      'as floors: they return wrong results for this function.',
  ],
  async run(context) {
    return runHitCandidates(
      [
        candidate('raw-map-get', 'base: raw Map.get(precomputed key)', () => rawMapLookup(precomputedKeys, () => 1), {
          inputs: precomputedKeys,
          arity: 1,
        }),
        candidate('json-map', 'base: Map by JSON.stringify(args)', jsonMapMemoize),
        candidate('stable-map', 'base: Map by fast-json-stable-stringify(args)', stableMapMemoize),
        ...memotapeBuilds.map(({ id, label, module }) =>
          candidate(id, `${label} Memoizer.memoize()`, (fn) => new module.Memoizer().memoize({ name: 'combine' })(fn)),
        ),
        candidate('memoizee', 'memoizee default (per-argument linear indexOf)', (fn) => memoizee(fn)),
        candidate('memoizee-primitive', 'memoizee {primitive:true} (1 and "1" collide)', (fn) =>
          memoizee(fn, { primitive: true }),
        ),
        candidate('memoize-json', 'memoize (sindresorhus) {cacheKey: JSON.stringify}', (fn) =>
          memoize(fn, { cacheKey: JSON.stringify }),
        ),
        candidate('memoize-join', 'memoize (sindresorhus) {cacheKey: a => a.join(\',\')} (1 and "1" collide)', (fn) =>
          memoize(fn, { cacheKey: (args) => args.join(',') }),
        ),
        candidate('memoize-first', 'memoize (sindresorhus) default (1st arg only: wrong here)', (fn) => memoize(fn)),
        candidate('micro-memoize', 'micro-memoize {maxSize:1e9} (linear scan)', (fn) =>
          microMemoize(fn, { maxSize: 1e9 }),
        ),
        candidate('fast-memoize', 'fast-memoize default (JSON.stringify of arguments)', (fn) => fastMemoize(fn)),
        candidate('lodash-json', 'lodash.memoize resolver (...a) => JSON.stringify(a)', (fn) =>
          lodashMemoize(fn, (...args) => JSON.stringify(args)),
        ),
        candidate('lodash-first', 'lodash.memoize default (1st arg only: wrong here)', (fn) => lodashMemoize(fn)),
      ],
      { inputs, arity: 3, compute: (n, s, b) => (b ? n + s.length : n - s.length) },
      context,
    );
  },
};
