import fastMemoize from 'fast-memoize';
import lodashMemoize from 'lodash.memoize';
import memoize from 'memoize';
import memoizee from 'memoizee';
import { memoize as microMemoize } from 'micro-memoize';
import { jsonMapMemoize, rawMapLookup, stableMapMemoize } from '../lib/baselines.mjs';
import { candidate, runHitCandidates } from '../lib/hit-candidates.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';

const WARM_KEYS = 1024;
const keys = Array.from({ length: WARM_KEYS }, (_, index) => index * 7 + 1);

/** Scenario 1: the cheapest possible hit, a single number argument, against the raw Map.get it must wrap. */
export const scenario = {
  number: 1,
  title: 'sync hit, 1 number arg, 1024 warm keys round-robin',
  workload: `f(n) for ${WARM_KEYS} distinct numbers, each cached, called round-robin. mitata p50 ns per call.`,
  metrics: [{ key: 'ns', label: 'ns/op' }],
  baseline: 'raw-map-get',
  baselineLabel: 'raw Map.get',
  targets: [
    { label: 'memotape ≤ 2× raw Map.get', subject: 'memotape', against: ['raw-map-get'], metric: 'ns', limit: 2 },
  ],
  async run(context) {
    return runHitCandidates(
      [
        candidate('raw-map-get', 'base: raw Map.get(key) on the number', (fn) => rawMapLookup(keys, fn)),
        candidate('json-map', 'base: Map by JSON.stringify(args)', jsonMapMemoize),
        candidate('stable-map', 'base: Map by fast-json-stable-stringify(args)', stableMapMemoize),
        ...memotapeBuilds.map(({ id, label, module }) =>
          candidate(id, `${label} Memoizer.memoize()`, (fn) => new module.Memoizer().memoize({ name: 'double' })(fn)),
        ),
        candidate('memoizee-primitive', 'memoizee {primitive:true} (1 and "1" collide)', (fn) =>
          memoizee(fn, { primitive: true }),
        ),
        candidate('memoizee', 'memoizee default (linear indexOf over cached args)', (fn) => memoizee(fn)),
        candidate('memoize', 'memoize (sindresorhus) default (keys on 1st arg only)', (fn) => memoize(fn)),
        candidate('micro-memoize', 'micro-memoize {maxSize:1e9} (linear scan)', (fn) =>
          microMemoize(fn, { maxSize: 1e9 }),
        ),
        candidate('fast-memoize', 'fast-memoize default (plain-object cache)', (fn) => fastMemoize(fn)),
        candidate('lodash', 'lodash.memoize default (keys on 1st arg only)', (fn) => lodashMemoize(fn)),
      ],
      { inputs: keys, compute: (n) => n * 2 + 1 },
      context,
    );
  },
};
