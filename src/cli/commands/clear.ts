import { scanStore, sweepStaleTempNames } from '../../stores/disk-eviction.js';
import { DiskStore } from '../../stores/disk-store.js';
import { errorMessage, layoutDirectory, listStoreFolders } from '../cache-dir.js';
import { type Command, ExitCode, type ExitCodeValue, stringValue } from '../command.js';
import { plural, printJson } from '../output.js';
import { formatBytes } from '../sizes.js';
import { cacheDirArgument, checkSubDirOption } from '../sources.js';

/** How old a temp name must be to count as left by a killed process: the disk store's own default. */
const STALE_TEMP_AGE_MS = 10 * 60_000;

export const clearCommand: Command = {
  name: 'clear',
  summary: 'remove every entry of a cache dir, or of one sub dir',
  usage: 'memotape clear <cache dir> [--sub-dir <name>] [--json]',
  help: `Removes the entries of a PersistentMemoizer cache dir: every sub dir, or only --sub-dir. Each folder is
cleared as PersistentMemoizer.cacheClear() clears it: renamed aside in one step, so other processes see all of its
entries or none, then deleted. The exit dump (memoizer_cache.json) and any other files are left alone.

Options:
  --sub-dir <name>  only this sub dir (_default for memoizers without a subDir)
  --json            print JSON instead of text

Example:
  $ memotape clear ~/.cache/memotape --sub-dir should-pad
  /home/ada/.cache/memotape: cleared 1 sub dir (should-pad): 2 entries, 900 B

Exits 1 when a folder could not be removed.`,
  options: { 'sub-dir': { type: 'string' } },
  positionals: { min: 1, max: 1, describe: 'a cache dir' },
  run({ positionals, values, json, io }): ExitCodeValue {
    const target = positionals[0]!;
    const { cacheDir, subDir } = cacheDirArgument(target, checkSubDirOption(stringValue(values, 'sub-dir')));
    const folders = listStoreFolders(cacheDir, subDir);
    const cleared: { subDir: string; entries: number; bytes: number }[] = [];
    const errors: string[] = [];
    for (const folder of folders) {
      const { files, bytes } = scanStore(folder.directory, Number.NEGATIVE_INFINITY);
      try {
        new DiskStore({ directory: folder.directory }).clear();
        cleared.push({ subDir: folder.subDir, entries: files.length, bytes });
      } catch (error) {
        errors.push(`could not clear ${folder.directory}: ${errorMessage(error)}`);
      }
    }
    const sweepErrors: unknown[] = [];
    sweepStaleTempNames(layoutDirectory(cacheDir), io.now() - STALE_TEMP_AGE_MS, sweepErrors);
    const entries = cleared.reduce((total, folder) => total + folder.entries, 0);
    const bytes = cleared.reduce((total, folder) => total + folder.bytes, 0);
    if (json) {
      printJson(io, { cacheDir, cleared, entries, bytes, errors });
    } else if (cleared.length > 0) {
      const names = cleared.map((folder) => folder.subDir).join(', ');
      io.out(
        `${target}: cleared ${plural(cleared.length, 'sub dir')} (${names}): ${plural(entries, 'entry', 'entries')}, ${formatBytes(bytes)}\n`,
      );
    } else if (errors.length === 0) {
      const others = listStoreFolders(cacheDir).map((folder) => folder.subDir);
      const known = others.length === 0 ? 'it has no entries' : `its sub dirs: ${others.join(', ')}`;
      io.out(`${target}: nothing to clear${subDir === undefined ? '' : ` in sub dir ${subDir}`} (${known})\n`);
    }
    for (const error of errors) io.err(`memotape clear: ${error}\n`);
    return errors.length > 0 ? ExitCode.problems : ExitCode.ok;
  },
};
