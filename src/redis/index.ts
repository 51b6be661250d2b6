/**
 * `memotape/redis`: a Redis tier with cross-process single flight. This entry needs the optional `redis` package
 * (node-redis v6); importing it without that package throws a {@link RedisTierError} that says so. The core
 * `memotape` entry never loads it.
 *
 * @example
 * ```ts
 * import { RedisStore } from 'memotape/redis';
 * const remote = new RedisStore({ url: 'redis://localhost:6379' });
 * ```
 */
import { loadRedis } from './load-redis.js';

// Fail at import, with an actionable message, rather than at the first call.
loadRedis();

export { RedisTierError } from '../errors.js';
export type { CircuitState } from './circuit-breaker.js';
export type { RedisClient } from './client.js';
export { ENVELOPE_VERSION } from './envelope.js';
export type { RedisOutage, RedisRecovery, RedisStoreEvents } from './failure-reports.js';
export { LAYOUT_VERSION } from './keys.js';
export type { RedisStoreStats } from './redis-stats.js';
export { RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store-options.js';
export type { SingleFlightRequest, SingleFlightResult, SingleFlightSource } from './single-flight-host.js';
