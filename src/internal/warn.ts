import { writeSync } from 'node:fs';

const warned = new Set<string>();
let exiting = false;

/** @internal Marks the process as exiting: warnings are then written synchronously, since ticks no longer run. */
export function markExiting(): void {
  exiting = true;
}

/**
 * Reports a problem memotape handled on its own (a failed background write, an entry left out of a dump). Each
 * distinct `onceKey` warns once per process. Normally a Node `warning` event of type `MemotapeWarning` (so hosts can
 * listen with `process.on('warning')`); during exit, a direct write to stderr.
 */
export function warn(code: string, message: string, onceKey: string = `${code}:${message}`): void {
  if (warned.has(onceKey)) return;
  warned.add(onceKey);
  if (exiting) {
    try {
      writeSync(2, `(memotape) MemotapeWarning [${code}]: ${message}\n`);
    } catch {
      // stderr is gone: nothing left to tell.
    }
    return;
  }
  process.emitWarning(message, { type: 'MemotapeWarning', code });
}

/** @internal Forgets which warnings were given; for tests. */
export function resetWarningsForTests(): void {
  warned.clear();
  exiting = false;
}
