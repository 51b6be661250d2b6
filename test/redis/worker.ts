import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Runs test/fixtures/redis/single-flight-worker.mjs (which imports the built dist/redis.js). */
const WORKER = path.resolve(import.meta.dirname, '../fixtures/redis/single-flight-worker.mjs');

export interface WorkerConfig {
  readonly url: string;
  readonly prefix: string;
  readonly keys: readonly string[];
  readonly callsPerKey?: number;
  readonly computeMs: number;
  readonly leaseMs: number;
  readonly waitTimeout?: number;
  readonly mode: 'ok' | 'throw' | 'hang';
  readonly counters: string;
}

export interface WorkerResult {
  readonly key: string;
  readonly value?: { key: string; computedBy: number; nonce: string };
  readonly source?: string;
  readonly error?: string;
}

export interface WorkerDone {
  readonly results: WorkerResult[];
  readonly stats: Record<string, number | string>;
}

export interface Worker {
  readonly child: ChildProcess;
  /** Resolves when the worker printed a line with this event. */
  reached(event: 'calling' | 'started'): Promise<void>;
  /** Resolves with the worker's results when it exits normally. */
  readonly done: Promise<WorkerDone>;
}

export function startWorker(config: WorkerConfig): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = new Set<string>();
  const waiting = new Map<string, () => void>();
  let stderr = '';
  let finished: WorkerDone | undefined;
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { event: string } & WorkerDone;
    seen.add(message.event);
    waiting.get(message.event)?.();
    if (message.event === 'done') finished = { results: message.results, stats: message.stats };
  });
  const done = new Promise<WorkerDone>((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (finished !== undefined && code === 0) resolve(finished);
      else reject(new Error(`worker exited with ${code ?? signal}:\n${stderr}`));
    });
  });
  done.catch(() => {});
  return {
    child,
    done,
    reached: (event) =>
      seen.has(event) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(event, resolve)),
  };
}
