import { removeIfUnchanged, sweepStaleTempNames } from '../../stores/disk-eviction.js';
import { type DiskRecord, errorMessage, layoutDirectory } from '../cache-dir.js';
import {
  type Command,
  type CommandIo,
  ExitCode,
  type ExitCodeValue,
  type ParsedValues,
  stringValue,
  UsageError,
} from '../command.js';
import { formatTable, plural, printJson } from '../output.js';
import { formatBytes, formatDuration, parseByteSize, parseDuration } from '../sizes.js';
import { type CacheSource, checkSubDirOption, openCacheDir } from '../sources.js';

/** How old a temp file must be to count as left by a killed writer: the disk store's own default. */
const STALE_TEMP_AGE_MS = 10 * 60_000;

type Reason = 'damaged' | 'expired' | 'unused' | 'over-max-bytes';

interface Removal {
  readonly record: DiskRecord;
  readonly reason: Reason;
  /** What happened; `changed` means another process used or rewrote the entry meanwhile, so it was kept. */
  outcome: 'removed' | 'gone' | 'changed' | 'failed' | 'planned';
}

interface PruneSettings {
  readonly olderThan: number | undefined;
  readonly maxBytes: number | undefined;
  readonly dryRun: boolean;
}

/** Picks what to remove: damaged, then expired, then unused for `olderThan`, then least recently used over the cap. */
function plan(records: readonly DiskRecord[], settings: PruneSettings, now: number): Removal[] {
  const removals: Removal[] = [];
  const live: DiskRecord[] = [];
  for (const record of records) {
    if (!record.state.ok) removals.push({ record, reason: 'damaged', outcome: 'planned' });
    else if (record.state.entry.expiresAt !== undefined && record.state.entry.expiresAt <= now) {
      removals.push({ record, reason: 'expired', outcome: 'planned' });
    } else if (settings.olderThan !== undefined && record.file.mtimeMs < now - settings.olderThan) {
      removals.push({ record, reason: 'unused', outcome: 'planned' });
    } else {
      live.push(record);
    }
  }
  if (settings.maxBytes !== undefined) {
    let bytes = live.reduce((total, record) => total + record.file.size, 0);
    for (const record of [...live].sort((a, b) => a.file.mtimeMs - b.file.mtimeMs)) {
      if (bytes <= settings.maxBytes) break;
      removals.push({ record, reason: 'over-max-bytes', outcome: 'planned' });
      bytes -= record.file.size;
    }
  }
  return removals;
}

function reasonText(reason: Reason, settings: PruneSettings): string {
  switch (reason) {
    case 'unused':
      return `unused for ${formatDuration(settings.olderThan ?? 0)}`;
    case 'over-max-bytes':
      return `over ${formatBytes(settings.maxBytes ?? 0)}`;
    default:
      return reason;
  }
}

function namespaceOf(record: DiskRecord): string | null {
  return record.state.ok ? record.state.entry.namespace : null;
}

/** Everything a prune run found and did, for the report. */
interface PruneRun {
  readonly source: CacheSource;
  readonly settings: PruneSettings;
  readonly records: readonly DiskRecord[];
  readonly removals: readonly Removal[];
  readonly tempFilesRemoved: number;
  readonly errors: readonly string[];
}

function report(run: PruneRun, json: boolean, io: CommandIo): void {
  const { source, settings, records, removals } = run;
  const misplaced = source.folders.flatMap((scan) => scan.misplaced);
  const done = removals.filter((removal) => removal.outcome !== 'changed' && removal.outcome !== 'failed');
  const removedBytes = done.reduce((total, removal) => total + removal.record.file.size, 0);
  const totalBytes = records.reduce((total, record) => total + record.file.size, 0);
  const remaining = { entries: records.length - done.length, bytes: totalBytes - removedBytes };
  const counts: Record<Reason, number> = { damaged: 0, expired: 0, unused: 0, 'over-max-bytes': 0 };
  for (const removal of done) counts[removal.reason]++;
  if (json) {
    printJson(io, {
      cacheDir: source.cacheDir,
      dryRun: settings.dryRun,
      removed: done.map((removal) => ({
        subDir: removal.record.subDir,
        key: removal.record.file.key,
        namespace: namespaceOf(removal.record),
        bytes: removal.record.file.size,
        reason: removal.reason,
      })),
      counts: {
        damaged: counts.damaged,
        expired: counts.expired,
        unused: counts.unused,
        overMaxBytes: counts['over-max-bytes'],
      },
      bytesRemoved: removedBytes,
      kept: removals.filter((removal) => removal.outcome === 'changed').length,
      remaining,
      tempFilesRemoved: run.tempFilesRemoved,
      misplaced,
      errors: run.errors,
    });
    return;
  }
  const verb = settings.dryRun ? 'would remove' : 'removed';
  const reasons = (Object.keys(counts) as Reason[])
    .filter((reason) => counts[reason] > 0)
    .map((reason) => `${counts[reason]} ${reasonText(reason, settings)}`);
  const summary =
    done.length === 0
      ? `${verb} nothing`
      : `${verb} ${plural(done.length, 'entry', 'entries')}, ${formatBytes(removedBytes)}: ${reasons.join(', ')}`;
  io.out(`${source.path}: ${summary}\n`);
  if (settings.dryRun && done.length > 0) {
    const table = formatTable(done, [
      { header: 'SUB DIR', value: (removal) => removal.record.subDir },
      { header: 'FUNCTION', value: (removal) => namespaceOf(removal.record) ?? '(damaged)' },
      { header: 'KEY', value: (removal) => removal.record.file.key },
      { header: 'SIZE', value: (removal) => formatBytes(removal.record.file.size), align: 'right' },
      { header: 'REASON', value: (removal) => reasonText(removal.reason, settings) },
    ]);
    io.out(`\n${table}\n`);
  }
  const left = `${settings.dryRun ? 'would leave' : 'left'} ${plural(remaining.entries, 'entry', 'entries')}, ${formatBytes(remaining.bytes)}`;
  const notes = [left];
  const kept = removals.filter((removal) => removal.outcome === 'changed').length;
  if (kept > 0) notes.push(`kept ${plural(kept, 'entry', 'entries')} that another process used or rewrote meanwhile`);
  if (run.tempFilesRemoved > 0) notes.push(`removed ${plural(run.tempFilesRemoved, 'stale temp file')}`);
  for (const folder of misplaced) notes.push(`left in place: a folder where an entry file should be: ${folder}`);
  io.out(`${notes.join('\n')}\n`);
  for (const error of run.errors) io.err(`memotape prune: ${error}\n`);
}

function parseSettings(values: ParsedValues): PruneSettings {
  const olderThanText = stringValue(values, 'older-than');
  const maxBytesText = stringValue(values, 'max-bytes');
  const olderThan = olderThanText === undefined ? undefined : parseDuration(olderThanText);
  if (olderThanText !== undefined && olderThan === undefined) {
    throw new UsageError(`--older-than takes a duration such as 30d, 12h or 90m, got ${JSON.stringify(olderThanText)}`);
  }
  const maxBytes = maxBytesText === undefined ? undefined : parseByteSize(maxBytesText);
  if (maxBytesText !== undefined && maxBytes === undefined) {
    throw new UsageError(`--max-bytes takes a size such as 500mb, 2gb or 4096, got ${JSON.stringify(maxBytesText)}`);
  }
  return { olderThan, maxBytes, dryRun: values['dry-run'] === true };
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove expired, damaged, unused or least recently used entries from a cache dir',
  usage: 'memotape prune <cache dir> [--older-than 30d] [--max-bytes 500mb] [--sub-dir <name>] [--dry-run] [--json]',
  help: `Cleans a PersistentMemoizer cache dir. Every entry file is read and checked, then these are removed:
  - damaged entries (bad checksum, truncated, another format version) and expired ones (past their ttl);
  - with --older-than, entries not used for that long (last use is the file's modification time);
  - with --max-bytes, the least recently used entries until the rest fit, over all sub dirs together
    (or within --sub-dir).
Temp files that killed writers left behind (older than 10 minutes) go too. An entry that another process uses or
rewrites while prune runs is kept. The exit dump (memoizer_cache.json) is not touched.

Options:
  --older-than <duration>  remove entries unused for this long: 45m, 12h, 30d, 2w, 1d12h
  --max-bytes <size>       keep at most this many bytes of entry files: 500mb, 2gb, 512mib, 4096
  --sub-dir <name>         only this sub dir (_default for memoizers without a subDir)
  --dry-run                list what would be removed, remove nothing
  --json                   print JSON instead of text

Example:
  $ memotape prune ~/.cache/memotape --older-than 30d --max-bytes 500mb
  /home/ada/.cache/memotape: removed 12 entries, 34.5 kB: 3 expired, 7 unused for 30d, 2 over 500.0 MB
  left 120 entries, 1.2 MB

Exits 1 when an entry could not be removed.`,
  options: {
    'older-than': { type: 'string' },
    'max-bytes': { type: 'string' },
    'sub-dir': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, describe: 'a cache dir' },
  run({ positionals, values, json, io }): ExitCodeValue {
    const settings = parseSettings(values);
    const subDir = checkSubDirOption(stringValue(values, 'sub-dir'));
    const now = io.now();
    const staleBefore = settings.dryRun ? undefined : now - STALE_TEMP_AGE_MS;
    const source = openCacheDir(positionals[0]!, { subDir, staleBefore });
    const records = source.folders.flatMap((scan) => scan.records);
    const removals = plan(records, settings, now);
    const errors = source.folders.flatMap((scan) => scan.errors.map(errorMessage));
    let tempFilesRemoved = source.folders.reduce((total, scan) => total + scan.tempFilesRemoved, 0);
    if (!settings.dryRun) {
      for (const removal of removals) {
        try {
          removal.outcome = removeIfUnchanged(removal.record.file);
        } catch (error) {
          removal.outcome = 'failed';
          errors.push(`could not remove ${removal.record.file.file}: ${errorMessage(error)}`);
        }
      }
      const sweepErrors: unknown[] = [];
      tempFilesRemoved += sweepStaleTempNames(layoutDirectory(source.cacheDir), staleBefore!, sweepErrors);
      errors.push(...sweepErrors.map(errorMessage));
    }
    report({ source, settings, records, removals, tempFilesRemoved, errors }, json, io);
    return errors.length > 0 ? ExitCode.problems : ExitCode.ok;
  },
};
