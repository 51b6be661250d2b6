import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * Test harness: a real redis-server of our own, on a free loopback port, in a temp dir, with persistence off and
 * DEBUG allowed from loopback. It is started per test file, stopped by pid, and can be restarted on the same port,
 * stopped with signals (SIGSTOP/SIGCONT) and given extra arguments (maxmemory, ACLs).
 */

/** Finds a loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends one inline command over a fresh connection and answers the first reply line (no client library needed). */
export function rawCommand(port: number, command: string, timeout = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setTimeout(timeout, () => socket.destroy(new Error(`no reply to ${command} within ${timeout} ms`)));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n')) {
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The pid of the running server (changes after a restart). */
  readonly pid: number;
  /** Starts the server again on the same port (after {@link stop}). */
  start(): Promise<void>;
  /** Stops the server (resuming it first if it was SIGSTOPped) and waits for it to exit. */
  stop(): Promise<void>;
  /** Sends a signal to the server process. */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server and removes its temp dir. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a redis-server; `extraArgs` are appended to its command line (e.g. `['--maxmemory', '1mb']`). */
export async function startRedisServer(options: { port?: number; extraArgs?: string[] } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const directory = mkdtempSync(path.join(tmpdir(), 'memotape-redis-'));
  let child: ChildProcess | undefined;
  let stopped = false;

  const start = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      directory,
      '--save',
      '',
      '--appendonly',
      'no',
      '--enable-debug-command',
      'local',
      ...(options.extraArgs ?? []),
    ];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    running.add(started);
    let output = '';
    started.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    started.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}) on start:\n${output}`))),
    );
    exited.catch(() => {});
    started.once('exit', () => running.delete(started));
    for (let tries = 0; ; tries++) {
      try {
        // Any answer means it listens (a server with requirepass answers NOAUTH).
        const reply = await Promise.race([rawCommand(port, 'PING', 200), exited]);
        if (reply === '+PONG' || reply.startsWith('-NOAUTH')) return;
        if (tries > 250) {
          started.kill('SIGKILL');
          throw new Error(`redis-server answered ${reply}`);
        }
      } catch (error) {
        if (started.exitCode !== null || tries > 250) {
          started.kill('SIGKILL');
          throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const stop = async (): Promise<void> => {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGCONT');
    current.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    start,
    stop,
    signal: (signal) => {
      child?.kill(signal);
    },
    dispose: async () => {
      if (stopped) return;
      stopped = true;
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
