import { memotapeBuilds } from './memotape-builds.mjs';
import { findRedisServer } from './redis-server.mjs';

/*
 * What the Redis scenarios need before they can measure anything: a redis-server binary, the `redis` package and a
 * memotape build with the Redis tier. A machine without redis-server skips them (a row says so) instead of failing.
 */

/**
 * `{ binary, createClient, builds }`, where each build of `memotapeBuilds` with a `memotape/redis` entry carries its
 * `RedisStore`; or `{ skipped }` / `{ pending }` saying why the scenario cannot run here.
 */
export async function redisBuilds() {
  const binary = findRedisServer();
  if (binary === undefined) return { skipped: 'redis-server not found' };
  let createClient;
  try {
    ({ createClient } = await import('redis'));
  } catch {
    return { skipped: 'the redis package is not installed' };
  }
  const builds = [];
  for (const build of memotapeBuilds) {
    try {
      const { RedisStore } = await import(build.redisUrl);
      if (typeof RedisStore === 'function') builds.push({ ...build, RedisStore });
    } catch {
      // A build from before the Redis tier (say, with --compare): it has no rows here.
    }
  }
  if (builds.length === 0) return { pending: 'memotape/redis not built yet (src/redis/)' };
  return { binary, createClient, builds };
}

/** A node-redis client of the benchmark's own (for baselines and counters), connected. */
export async function connectedClient(createClient, url) {
  const client = createClient({ url });
  // node-redis requires an 'error' listener; a failing command still rejects, which fails the row.
  client.on('error', () => {});
  await client.connect();
  return client;
}
