import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as built from '../../dist/index.js';

/*
 * The memotape builds a scenario measures: the one in dist/ and, with `run.mjs --compare=<dir>`, another build
 * (say, of the previous commit), so an optimization is judged by before/after numbers from the same processes.
 */
const compareDir = process.env.BENCH_COMPARE_DIST;
const comparedUrl = compareDir ? pathToFileURL(path.join(compareDir, 'dist', 'index.js')).href : undefined;
const compared = comparedUrl ? await import(comparedUrl) : undefined;

/**
 * `[{ id, label, module, url, redisUrl }]`: `memotape` (this tree's dist/) and, when comparing, `memotape-compare`;
 * `url` is the build's entry, for scenarios that start a process of their own, and `redisUrl` its `memotape/redis`
 * entry, which the Redis scenarios import themselves (it loads the `redis` package).
 */
export const memotapeBuilds = [
  {
    id: 'memotape',
    label: 'memotape',
    module: built,
    url: new URL('../../dist/index.js', import.meta.url).href,
    redisUrl: new URL('../../dist/redis.js', import.meta.url).href,
  },
  ...(compared
    ? [
        {
          id: 'memotape-compare',
          label: `memotape at ${compareDir}`,
          module: compared,
          url: comparedUrl,
          redisUrl: pathToFileURL(path.join(compareDir, 'dist', 'redis.js')).href,
        },
      ]
    : []),
];
