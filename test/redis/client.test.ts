import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type RedisServer, startRedisServer } from './redis-server.js';

// node-redis waits between its own reconnection attempts on a timer that keeps the event loop alive; memotape
// reconnects on an unref'd one instead. These children never close their store: they must exit on their own.
const worker = path.resolve(import.meta.dirname, '../fixtures/redis/exit-worker.mjs');
/** Far longer than a child needs; a child still running then is killed, and the test fails. */
const EXIT_LIMIT = 15_000;

interface Exit {
  readonly code: number | null;
  readonly killed: boolean;
  readonly lines: string[];
}

const children = new Set<ChildProcess>();
const servers: RedisServer[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(servers.map((server) => server.dispose()));
});

/** Runs the worker; `onLine` sees each stdout line as it comes. Resolves when the child exits (or is killed). */
function runWorker(config: object, onLine: (line: string) => void = () => {}): Promise<Exit> {
  const child = spawn(process.execPath, [worker, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const lines: string[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  });
  let killed = false;
  const limit = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, EXIT_LIMIT);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(limit);
      children.delete(child);
      resolve({ code, killed, lines });
    });
  });
}

describe('a process whose Redis tier is down', () => {
  it('exits once its work is done when no server runs at all', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const exit = await runWorker({ url, prefix: `exit-${randomUUID()}` });
    expect(exit.killed).toBe(false);
    expect(exit.code).toBe(0);
    expect(exit.lines).toEqual(['computed 42', 'done']);
  }, 30_000);

  it('exits once its work is done when the server is killed while it runs', async () => {
    const server = await startRedisServer();
    servers.push(server);
    const exit = await runWorker({ url: server.url, prefix: `exit-${randomUUID()}`, waitForOutage: true }, (line) => {
      if (line === 'ready') server.signal('SIGKILL');
    });
    expect(exit.killed).toBe(false);
    expect(exit.code).toBe(0);
    expect(exit.lines).toEqual(['computed 42', 'ready', 'outage', 'done']);
  }, 30_000);
});
