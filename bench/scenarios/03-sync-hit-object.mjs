import fastMemoize from 'fast-memoize';
import lodashMemoize from 'lodash.memoize';
import memoize from 'memoize';
import memoizee from 'memoizee';
import { memoize as microMemoize } from 'micro-memoize';
import { jsonMapMemoize, stableMapMemoize } from '../lib/baselines.mjs';
import { candidate, runHitCandidates } from '../lib/hit-candidates.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';

const OBJECTS = 1024;
const TOP_ORDERS = [
  ['id', 'name', 'tags', 'options'],
  ['options', 'tags', 'name', 'id'],
  ['name', 'id', 'options', 'tags'],
  ['tags', 'options', 'id', 'name'],
];
const OPTION_ORDERS = [
  ['deep', 'depth'],
  ['depth', 'deep'],
];
const values = { id: 42, name: 'widget', tags: ['a', 'b'] };

/** A fresh object equal to every other one, with its properties (top level and nested) inserted in another order. */
function build(index) {
  const options = {};
  for (const key of OPTION_ORDERS[index % OPTION_ORDERS.length]) options[key] = key === 'deep' ? true : 3;
  const object = {};
  for (const key of TOP_ORDERS[(index >> 1) % TOP_ORDERS.length]) {
    object[key] = key === 'options' ? options : key === 'tags' ? [...values.tags] : values[key];
  }
  return object;
}

const inputs = Array.from({ length: OBJECTS }, (_, index) => build(index));

/** memoizee's documented normalizer for order-insensitive object arguments (its README, "normalizers"). */
const deepSortedEntries = (object) =>
  Object.entries(object)
    .map(([key, value]) => (value && typeof value === 'object' ? [key, deepSortedEntries(value)] : [key, value]))
    .sort();

/** Scenario 3: value-equality hits on one nested object argument whose property order varies between calls. */
export const scenario = {
  number: 3,
  title: 'sync hit, 1 nested object arg, equal objects with different property order',
  workload:
    `f(obj) cycling through ${OBJECTS} distinct but equal objects {id, name, tags: [..], options: {deep, depth}} ` +
    `built in ${TOP_ORDERS.length * OPTION_ORDERS.length} property orders. mitata p50 ns per call.`,
  metrics: [{ key: 'ns', label: 'ns/op' }],
  baseline: 'json-map',
  baselineLabel: 'JSON.stringify Map',
  targets: [
    {
      label: 'memotape ≤ 1× the JSON.stringify Map',
      subject: 'memotape',
      against: ['json-map'],
      metric: 'ns',
      limit: 1,
    },
  ],
  notes: [
    'JSON.stringify keys are order-sensitive: the JSON rows hold one entry per property order (all warmed), so ' +
      'they hit here only because every order was seen before. memotape, fast-json-stable-stringify, memoizee with ' +
      'its documented deepSortedEntries normalizer and micro-memoize deep equality are order-insensitive.',
    'micro-memoize compares the argument with deep equality against every cached key (a linear scan); it is fast ' +
      'here because all 1024 objects are equal, so its cache holds a single key.',
  ],
  async run(context) {
    return runHitCandidates(
      [
        candidate('json-map', 'base: Map by JSON.stringify(args) (order-sensitive)', jsonMapMemoize),
        candidate('stable-map', 'base: Map by fast-json-stable-stringify(args)', stableMapMemoize),
        ...memotapeBuilds.map(({ id, label, module }) =>
          candidate(id, `${label} Memoizer.memoize()`, (fn) => new module.Memoizer().memoize({ name: 'lookup' })(fn)),
        ),
        candidate('memoizee-sorted', 'memoizee {normalizer: deepSortedEntries} (its README)', (fn) =>
          memoizee(fn, { normalizer: (args) => JSON.stringify(deepSortedEntries(args[0])) }),
        ),
        candidate('memoizee-json', 'memoizee {normalizer: JSON.stringify(args[0])} (order-sensitive)', (fn) =>
          memoizee(fn, { normalizer: (args) => JSON.stringify(args[0]) }),
        ),
        candidate('memoize-json', 'memoize (sindresorhus) {cacheKey: JSON.stringify} (order-sensitive)', (fn) =>
          memoize(fn, { cacheKey: JSON.stringify }),
        ),
        candidate('micro-memoize', "micro-memoize {isKeyItemEqual:'deep', maxSize:1e9}", (fn) =>
          microMemoize(fn, { isKeyItemEqual: 'deep', maxSize: 1e9 }),
        ),
        candidate('fast-memoize', 'fast-memoize default (JSON.stringify, order-sensitive)', (fn) => fastMemoize(fn)),
        candidate('lodash-json', 'lodash.memoize resolver JSON.stringify (order-sensitive)', (fn) =>
          lodashMemoize(fn, JSON.stringify),
        ),
      ],
      { inputs, compute: (object) => object.id + object.tags.length + object.options.depth },
      context,
    );
  },
};
