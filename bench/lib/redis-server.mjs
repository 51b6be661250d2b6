import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * A redis-server of the scenario's own for the Redis scenarios: on a free loopback port, in a temp dir, persistence
 * off. It is stopped by pid when the scenario ends, and killed if the scenario process exits or is terminated first
 * (the runner's timeout sends SIGTERM), so no server outlives a benchmark.
 */

/** Where redis-server is: the first executable one on PATH, else the usual system path; `undefined` if none. */
export function findRedisServer() {
  const folders = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const candidate of [...folders.map((folder) => path.join(folder, 'redis-server')), '/usr/bin/redis-server']) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: try the next folder.
    }
  }
  return undefined;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sends PING over a fresh connection; resolves true on +PONG, false on any failure within `timeout` ms. */
function ping(port, timeout) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const finish = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeout, () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n')) finish(received.startsWith('+PONG'));
    });
    socket.on('error', () => finish(false));
  });
}

const running = new Set();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.once('exit', killAll);
process.once('SIGTERM', () => {
  killAll();
  process.exit(143);
});

/**
 * Starts a redis-server from `binary` and waits until it answers PING. Answers `{ url, pid, stop() }`; `stop()`
 * ends it (SIGTERM to its pid), waits for it to exit and removes its temp dir.
 */
export async function startRedisServer(binary) {
  const port = await freePort();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'memotape-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const collect = (chunk) => {
    output += chunk;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => running.delete(child));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };

  for (let tries = 0; !(await ping(port, 200)); tries++) {
    if (child.exitCode !== null || child.signalCode !== null || tries > 250) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop };
}
