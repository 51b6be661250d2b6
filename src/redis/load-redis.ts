import { createRequire } from 'node:module';
import { RedisTierError } from '../errors.js';

/** The parts of the `redis` package (node-redis v6) memotape uses at run time. */
export type RedisModule = typeof import('redis');

let loaded: RedisModule | undefined;

/**
 * Loads the optional `redis` peer dependency once. It is required lazily (not imported) so that a missing package
 * gives one clear error instead of a bare module-not-found, and so the core `memotape` entry never loads it.
 */
export function loadRedis(): RedisModule {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('redis') as RedisModule;
  } catch (error) {
    // Only the package itself missing gets the friendly message; a broken install keeps its own error.
    const { code, message } = error as { code?: unknown; message?: unknown };
    const missing = code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes("'redis'");
    if (!missing) throw error;
    throw new RedisTierError(
      'import',
      'memotape/redis needs the `redis` package (node-redis v6), which is not installed: run `npm install redis`.',
    );
  }
  return loaded;
}
