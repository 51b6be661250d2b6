import stableStringify from 'fast-json-stable-stringify';

/*
 * Hand-written baselines: the shortest memoizer for each key strategy (rest args, key, Map.get, miss handling),
 * written the way the peer baselines (docs/benchmarks.md) describe them.
 */

/** Wraps `fn` with a Map keyed by `keyOf(args)`. */
function mapMemoizer(fn, keyOf) {
  const cache = new Map();
  return function memoized(...args) {
    const key = keyOf(args);
    const cached = cache.get(key);
    if (cached !== undefined || cache.has(key)) return cached;
    const result = fn.apply(this, args);
    cache.set(key, result);
    return result;
  };
}

/** A Map keyed by `JSON.stringify(args)`: order-sensitive, and `undefined`, `NaN` and `null` collide. */
export const jsonMapMemoize = (fn) => mapMemoizer(fn, JSON.stringify);

/** A Map keyed by `fast-json-stable-stringify(args)`: order-insensitive, same collisions as JSON. */
export const stableMapMemoize = (fn) => mapMemoizer(fn, stableStringify);

/** The raw Map.get denominator: a Map filled with `fn(key)` for every key, looked up by the key itself. */
export function rawMapLookup(keys, fn) {
  const map = new Map();
  for (const key of keys) map.set(key, fn(key));
  return (key) => map.get(key);
}
