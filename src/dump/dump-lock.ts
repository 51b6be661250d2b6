import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/*
 * The dump file's lock: proper-lockfile's `mkdir <file>.lock`, taken synchronously because the exit dump runs where
 * no event loop turns. `lockSync` refuses retries and fails at once with ELOCKED while another process holds the
 * lock, so this module retries it in a bounded loop of short synchronous sleeps within a total budget.
 *
 * - `realpath: false`: the first dump happens before the file exists (`realpath: true` fails with ENOENT).
 * - `onCompromised` records the fact instead of throwing: the default throws from a timer, into the host process.
 * - A lock left behind by a killed process is older than `staleMs` and proper-lockfile reclaims it.
 * - Theft check: proper-lockfile's keep-alive cannot run during a synchronous critical section, so a section longer
 *   than `staleMs` (or the stale-reclaim race of proper-lockfile#121) can let another process take the lock. The
 *   holder notes the lock directory's inode and ctime (nanoseconds) after acquiring it and checks them again
 *   before writing; a lock that was removed or re-made by someone else no longer matches. A lost lock is not
 *   released (that would remove the new holder's lock, now or in proper-lockfile's own exit hook): it is only
 *   dropped from proper-lockfile's bookkeeping.
 */

/** The slice of proper-lockfile this module uses. */
interface ProperLockfile {
  lockSync(
    file: string,
    options: { stale: number; realpath: boolean; onCompromised: (error: Error) => void },
  ): () => void;
}

/** proper-lockfile's own record of the locks it holds (lib/lockfile.js, `getLocks()`), keyed by resolved path. */
type HeldLocks = Record<string, { updateTimeout?: ReturnType<typeof setTimeout> | null; released?: boolean }>;

let properLockfile: ProperLockfile | undefined;

/**
 * Loads proper-lockfile on first use. It installs signal-exit (v3) hooks when it is loaded, so it must not be
 * loaded by merely importing memotape.
 */
export function loadLockLibrary(): ProperLockfile {
  if (properLockfile === undefined) {
    const requireFromHere = createRequire(import.meta.url);
    properLockfile = requireFromHere('proper-lockfile') as ProperLockfile;
  }
  return properLockfile;
}

/** Options of {@link acquireDumpLock}. */
export interface DumpLockOptions {
  /** Total time to keep trying while another process holds the lock, in ms. */
  readonly budgetMs: number;
  /** Age after which a lock is considered abandoned and reclaimed, in ms (proper-lockfile's minimum is 2000). */
  readonly staleMs: number;
}

/** A held dump lock. */
export interface DumpLock {
  /** The lock directory (`<file>.lock`). */
  readonly path: string;
  /** Whether the lock is still this process's: not compromised, not removed, not re-made by someone else. */
  stillHeld(): boolean;
  /** Releases the lock; never throws (a lock that was lost is simply gone). */
  release(): void;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds: the exit dump cannot wait on timers. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function identify(lockPath: string): string | undefined {
  try {
    const stat = statSync(lockPath, { bigint: true });
    return `${stat.ino}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Drops a lost lock from proper-lockfile's bookkeeping without touching the lock directory. */
function forgetLock(file: string): void {
  try {
    const requireFromHere = createRequire(import.meta.url);
    const { getLocks } = requireFromHere('proper-lockfile/lib/lockfile.js') as { getLocks(): HeldLocks };
    const locks = getLocks();
    const resolved = path.resolve(file);
    const held = locks[resolved];
    if (held === undefined) return;
    if (held.updateTimeout) clearTimeout(held.updateTimeout);
    held.released = true;
    delete locks[resolved];
  } catch {
    // A different proper-lockfile layout: its keep-alive will find the lock compromised and call onCompromised.
  }
}

/**
 * Takes the lock of `file`, retrying while another process holds it, for at most `budgetMs`. Answers the lock, or
 * `undefined` when the budget ran out. Throws the file system's error when the lock cannot be made at all (a
 * read-only folder, a folder that is not a folder).
 */
export function acquireDumpLock(file: string, options: DumpLockOptions): DumpLock | undefined {
  const { lockSync } = loadLockLibrary();
  const lockPath = `${file}.lock`;
  const deadline = performance.now() + options.budgetMs;
  let compromised = false;
  for (let attempt = 0; ; attempt++) {
    let release: () => void;
    try {
      release = lockSync(file, {
        stale: options.staleMs,
        realpath: false,
        onCompromised: () => {
          compromised = true;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return undefined;
      // Short, jittered sleeps: holders keep the lock for milliseconds, and jitter spreads out a crowd at exit.
      sleepSync(Math.min(remaining, Math.min(5 + attempt, 20) + Math.random() * 10));
      continue;
    }
    const identity = identify(lockPath);
    const stillHeld = () => !compromised && identity !== undefined && identify(lockPath) === identity;
    return {
      path: lockPath,
      stillHeld,
      release: () => {
        if (!stillHeld()) {
          forgetLock(file);
          return;
        }
        try {
          release();
        } catch {
          // ERELEASED: the lock was compromised meanwhile and is not ours to remove.
        }
      },
    };
  }
}
