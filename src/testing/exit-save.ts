import { createRequire } from 'node:module';
import { markExiting, warn } from '../internal/warn.js';

/*
 * The fallback for tapes that were not saved: when the process exits (a natural end, process.exit, an uncaught
 * exception, or a signal that signal-exit sees), each tape with unsaved recordings writes its own fixture file, and
 * each tape with unreported misses warns. Test runners often end their workers without running exit hooks (a
 * terminated worker thread, a killed fork), so this is only a fallback: `tape.save()` in an `afterAll` hook is the
 * workflow. Nothing here ever throws into the exiting process.
 */

/** What the exit fallback needs from a tape. */
export interface ExitSaver {
  /** Writes unsaved recordings and warns about unreported misses; may throw (the caller warns). */
  saveAtExit(): void;
  /** The fixture file, for the warning. */
  readonly file: string;
}

type OnExit = (handler: () => void) => () => void;

const pending = new Set<ExitSaver>();
let armed = false;

function runAtExit(): void {
  if (pending.size === 0) return;
  markExiting();
  for (const tape of [...pending]) {
    pending.delete(tape);
    try {
      tape.saveAtExit();
    } catch (error) {
      warn(
        'MEMOTAPE_FIXTURE_SAVE_FAILED',
        `the fixture ${tape.file} was not saved at exit: ${(error as Error)?.message ?? String(error)}`,
        `fixture-exit:${tape.file}`,
      );
    }
  }
}

function arm(): void {
  if (armed) return;
  armed = true;
  process.on('exit', runAtExit);
  try {
    const requireFromHere = createRequire(import.meta.url);
    const { onExit } = requireFromHere('signal-exit') as { onExit: OnExit };
    onExit(() => {
      runAtExit();
    });
  } catch {
    // Without signal-exit, a signal skips the fallback; the 'exit' event still covers every other path.
  }
}

/** Makes `tape` part of the exit fallback until {@link cancelExitSave}. */
export function registerExitSave(tape: ExitSaver): void {
  pending.add(tape);
  arm();
}

/** Takes `tape` out of the exit fallback (it was saved). */
export function cancelExitSave(tape: ExitSaver): void {
  pending.delete(tape);
}

/** @internal Forgets every tape waiting for the exit fallback; for tests, so temp dirs are not written at exit. */
export function resetExitSavesForTests(): void {
  pending.clear();
}
