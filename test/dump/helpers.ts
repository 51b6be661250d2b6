import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root. */
export const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * The built package the child processes import (`npm test` builds it first). MEMOTAPE_TEST_DIST points elsewhere,
 * e.g. at a private build while other work rebuilds dist/.
 */
export const builtEntry = process.env.MEMOTAPE_TEST_DIST ?? path.join(root, 'dist', 'index.js');

export function requireBuild(): void {
  if (!existsSync(builtEntry)) throw new Error(`${builtEntry} is missing: run \`npm run build\` first`);
}

export function fixture(name: string): string {
  return path.join(root, 'test', 'fixtures', 'dump', name);
}

const temporaryDirectories: string[] = [];

/** A fresh temp dir, removed by {@link removeTemporaryDirectories}. */
export function temporaryDirectory(prefix = 'memotape-dump-'): string {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  temporaryDirectories.push(directory);
  return directory;
}

export function removeTemporaryDirectories(): void {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** How a child process ended, with everything it printed. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running child process, with helpers to wait for what it prints and for its end. */
export interface RunningChild {
  readonly process: ChildProcess;
  /** Resolves once stdout or stderr (per `stream`) contains `text`. */
  waitFor(text: string, stream?: 'stdout' | 'stderr'): Promise<void>;
  readonly done: Promise<ChildResult>;
}

/** Starts `node <script>` with `env` added to a clean memotape environment. */
export function startChild(script: string, env: Record<string, string | undefined>): RunningChild {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('MEMOTAPE_')) delete base[name];
  const child = spawn(process.execPath, [script], {
    env: { ...base, CHILD_ENTRY: builtEntry, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  const waiters: { text: string; stream: 'stdout' | 'stderr'; resolve: () => void }[] = [];
  const check = () => {
    for (let index = waiters.length - 1; index >= 0; index--) {
      const waiter = waiters[index]!;
      if (output[waiter.stream].includes(waiter.text)) {
        waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    check();
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...output }));
  });
  return {
    process: child,
    done,
    waitFor: (text, stream = 'stdout') =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ text, stream, resolve });
        check();
        done.then(
          (result) => reject(new Error(`the child ended before printing ${JSON.stringify(text)}:\n${result.stderr}`)),
          reject,
        );
      }),
  };
}

/** Runs a child to its end. */
export function runChild(script: string, env: Record<string, string | undefined>): Promise<ChildResult> {
  return startChild(script, env).done;
}

/** How many times the child wrote the dump file (the dump child reports each rename). */
export function dumpWrites(result: ChildResult): number {
  return result.stderr.split('MEMOTAPE-TEST: dump written').length - 1;
}

/** The memotape warnings a child printed on stderr. */
export function memotapeWarnings(result: ChildResult): string[] {
  return result.stderr.split('\n').filter((line) => line.includes('MemotapeWarning'));
}
