import { createRequire } from 'node:module';
import { getSettings } from '../config.js';
import { markExiting, warn } from '../internal/warn.js';
import { loadLockLibrary } from './dump-lock.js';
import { writeDump } from './flush.js';

/*
 * The exit dump runs once per process on every exit path that lets code run:
 *
 * - natural end, process.exit(n), an uncaught exception, an unhandled rejection: Node's 'exit' event;
 * - SIGINT, SIGTERM, SIGHUP (and the other fatal signals signal-exit knows): signal-exit v4, which runs its handlers
 *   and then re-raises the signal, so the process still dies by it (Node's 'exit' event does not run on that path).
 *
 * Both are registered, and a once-guard keeps the dump to one run. The handler is synchronous, catches everything
 * (a throw in an 'exit' listener would skip later listeners and turn the exit code into 1), never touches
 * process.exitCode, and never returns `true` to signal-exit (that would swallow the signal). signal-exit stays out
 * of the way when the host has its own handler for a signal, so a host's SIGINT handler keeps control: if it exits,
 * the 'exit' event dumps; if it does not, the process lives on. SIGKILL cannot be caught: nothing is dumped.
 *
 * Nothing is registered at import: hooks are armed when a memoizer is created with dumping on, or when dumping is
 * turned on while memoizers exist.
 */

type OnExit = (handler: (code: number | null, signal: NodeJS.Signals | null) => void) => () => void;

let armed = false;
let ran = false;

function runExitDump(): void {
  if (ran) return;
  ran = true;
  markExiting();
  try {
    if (getSettings().dump) writeDump();
  } catch (error) {
    warn('MEMOTAPE_DUMP_FAILED', `the exit dump failed: ${(error as Error)?.message ?? error}`);
  }
}

/** Registers the exit hooks once. */
export function armExitDump(): void {
  if (armed) return;
  armed = true;
  process.on('exit', runExitDump);
  try {
    const requireFromHere = createRequire(import.meta.url);
    const { onExit } = requireFromHere('signal-exit') as { onExit: OnExit };
    onExit(() => {
      runExitDump();
    });
    // Loaded now rather than inside the exit handler: proper-lockfile installs its own signal-exit (v3) listeners
    // when loaded, and they should be in place before a signal arrives, not appear while one is being handled.
    loadLockLibrary();
  } catch (error) {
    warn(
      'MEMOTAPE_DUMP_FAILED',
      `the exit dump cannot cover signals or take the file lock: ${(error as Error)?.message ?? error}`,
    );
  }
}
