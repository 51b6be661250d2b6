import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memoizer } from '../../src/index.js';
import type { RedisClient } from '../../src/redis/client.js';
import { RedisStore } from '../../src/redis/redis-store.js';
import { adminClient, failOnUnhandledRejections } from './helpers.js';
import { freePort, type RedisServer, startRedisServer } from './redis-server.js';

// The Redis tier wired into Memoizer, against a real server: one computation for a whole group of processes.
const run = promisify(execFile);
const worker = path.resolve(import.meta.dirname, '../fixtures/redis/memoizer-worker.mjs');
let server: RedisServer;
let admin: RedisClient;

failOnUnhandledRejections();

beforeAll(async () => {
  server = await startRedisServer();
  admin = await adminClient(server.url);
});

afterAll(async () => {
  await admin?.quit();
  await server?.dispose();
});

describe('Memoizer with a RedisStore', () => {
  it('computes once for 3 processes × 3 concurrent calls, and every caller gets the same typed result', async () => {
    const counter = `count-${randomUUID()}`;
    const config = { url: server.url, prefix: `memo-${randomUUID()}`, counter, calls: 3, computeMs: 400 };
    const outputs = await Promise.all(
      [0, 1, 2].map(() => run(process.execPath, [worker, JSON.stringify(config)], { timeout: 30_000 })),
    );
    const reports = outputs.map(({ stdout }) => JSON.parse(stdout.trim()));
    expect(Number(await admin.sendCommand(['GET', counter]))).toBe(1);
    for (const report of reports) {
      expect(report.results).toEqual(
        Array(3).fill({ id: 7, when: '2026-01-07T00:00:00.000Z', total: '100000000000000000000' }),
      );
    }
    const remoteHits = reports.reduce((sum, report) => sum + report.stats.hits.remote, 0);
    const misses = reports.reduce((sum, report) => sum + report.stats.misses, 0);
    expect(misses).toBe(1);
    expect(remoteHits).toBe(2);
  }, 60_000);

  it('still returns correct results when no server is reachable', async () => {
    const remote = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeouts: { get: 100, set: 100 } });
    let calls = 0;
    const memoized = new Memoizer({ remote }).memoize({ name: 'offline' })(async (x: number) => {
      calls++;
      return x * 3;
    });
    await expect(memoized(2)).resolves.toBe(6);
    await expect(memoized(2)).resolves.toBe(6);
    expect(calls).toBe(1);
    await remote.close();
  });
});
