import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/*
 * A real full disk for tests: a tiny tmpfs mounted in a temp dir, filled up on demand. A write to it then fails in
 * the kernel with ENOSPC, exactly as on a full disk, with no mock in the way (so the code under test meets the error
 * at whichever system call really hits it, also in child processes). Mounting needs Linux and root (this machine and
 * CI have both); elsewhere the tests that need it are skipped with the reason below.
 */

/** A mounted tmpfs of a few hundred KiB. */
export interface SmallDisk {
  /** The mount point: an empty folder on the tmpfs. */
  readonly directory: string;
  /** Fills every free block with a filler file, so that writing any new data to the disk fails with ENOSPC. */
  fill(): void;
  /** Removes the filler: the disk has room again. */
  free(): void;
}

function message(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string }).stderr;
  return String(stderr ?? '').trim() || (error as Error).message;
}

function mount(sizeKiB: number): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'memotape-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', directory], { stdio: 'pipe' });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return directory;
}

function unmount(directory: string): void {
  try {
    execFileSync('umount', [directory], { stdio: 'pipe' });
  } catch {
    // Still busy (a child that did not exit?): detach it now, the kernel frees it once the last user is gone.
    execFileSync('umount', ['-l', directory], { stdio: 'pipe' });
  }
  rmSync(directory, { recursive: true, force: true });
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return 'a full disk is a tmpfs mount, which needs Linux';
  if (process.getuid?.() !== 0) return 'a full disk is a tmpfs mount, which needs root';
  try {
    unmount(mount(16));
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${message(error)}`;
  }
}

/**
 * Why no full disk can be had here (not Linux, not root, or `mount` refused), or `undefined` when it can. Probed once
 * per test file, by mounting and unmounting a 16 KiB tmpfs. Use it as `describe.skipIf(fullDiskUnavailable !==
 * undefined)`.
 */
export const fullDiskUnavailable: string | undefined = probe();

/** `title`, followed by why it is skipped when no full disk can be had here, so that the reporter shows the reason. */
export function fullDiskTitle(title: string): string {
  return fullDiskUnavailable === undefined ? title : `${title} (skipped: ${fullDiskUnavailable})`;
}

/**
 * Mounts a tmpfs of `sizeKiB` before the tests of the enclosing `describe` and unmounts it after them (also when a
 * test failed). Call it inside a `describe.skipIf(fullDiskUnavailable !== undefined)`, so that nothing is mounted
 * where it cannot be.
 */
export function useSmallDisk(sizeKiB = 256): SmallDisk {
  let directory: string | undefined;
  const mounted = (): string => {
    if (directory === undefined) throw new Error('useSmallDisk(): the disk is mounted in beforeAll, use it in tests');
    return directory;
  };
  const filler = () => path.join(mounted(), '.filler');
  beforeAll(() => {
    directory = mount(sizeKiB);
  });
  afterAll(() => {
    if (directory !== undefined) unmount(directory);
    directory = undefined;
  });
  return {
    get directory() {
      return mounted();
    },
    fill() {
      const descriptor = openSync(filler(), 'a');
      try {
        // Big chunks first, then single blocks for the last partial chunk; a short write is followed by ENOSPC.
        for (const size of [65_536, 4096, 1]) {
          const chunk = Buffer.alloc(size, 0x2e);
          try {
            for (;;) writeSync(descriptor, chunk);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          }
        }
      } finally {
        closeSync(descriptor);
      }
      const { bavail } = statfsSync(mounted());
      if (bavail !== 0) throw new Error(`the small disk still has ${bavail} free blocks after filling it`);
    },
    free() {
      rmSync(filler(), { force: true });
    },
  };
}
