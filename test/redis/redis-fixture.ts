import { afterAll, beforeAll } from 'vitest';
import type { RedisClient } from '../../src/redis/client.js';
import { RedisStore } from '../../src/redis/redis-store.js';
import type { RedisStoreOptions } from '../../src/redis/redis-store-options.js';
import { adminClient, failOnUnhandledRejections } from './helpers.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

/** One test file's Redis server, the test's own client on it, and the stores the file creates. */
export interface RedisFixture {
  /** The file's server (started before its first test, disposed after its last). */
  readonly server: RedisServer;
  /** A client of the test's own, for setup, inspection and fault injection. */
  readonly admin: RedisClient;
  /**
   * A store on the file's server (or on `options.client`) with the fixture's defaults and `options`; closed after the
   * file's last test.
   */
  store(options?: Partial<RedisStoreOptions>): RedisStore;
}

/**
 * The setup every Redis test file shares: a server of its own (see redis-server.ts), an admin client, stores closed
 * at the end, and a check that no promise rejection went unhandled meanwhile. Call it at the top of the file.
 */
export function useRedisServer(defaults: Partial<RedisStoreOptions> = {}): RedisFixture {
  let server: RedisServer | undefined;
  let admin: RedisClient | undefined;
  const stores: RedisStore[] = [];

  failOnUnhandledRejections();

  beforeAll(async () => {
    server = await startRedisServer();
    admin = await adminClient(server.url);
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    admin?.destroy();
    await server?.dispose();
  });

  const started = (): RedisServer => {
    if (server === undefined) throw new Error('useRedisServer: the server starts in beforeAll');
    return server;
  };

  return {
    get server() {
      return started();
    },
    get admin() {
      if (admin === undefined) throw new Error('useRedisServer: the admin client connects in beforeAll');
      return admin;
    },
    store(options = {}) {
      // A store given a client of the test's own uses it instead of a URL.
      const server = options.client === undefined ? { url: started().url } : {};
      const created = new RedisStore({ ...server, ...defaults, ...options });
      stores.push(created);
      return created;
    },
  };
}
