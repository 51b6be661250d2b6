import { mergeIntoDumpFile, readDumpFile } from '../../dump/dump-file.js';
import { countEntries, type DumpCollections, mergeCollections } from '../../dump/dump-format.js';
import { DumpError } from '../../errors.js';
import { type Command, CommandFailure, ExitCode, type ExitCodeValue, stringValue, UsageError } from '../command.js';
import { plural, printJson } from '../output.js';
import { parseDuration } from '../sizes.js';
import { openDumpFile, pathKind } from '../sources.js';

/** How long to wait for the lock by default: as long as a memoizer dumping at exit waits. */
const DEFAULT_LOCK_TIMEOUT_MS = 3000;

/** Refuses an output that exists but is not a dump: merging would move it aside, and it may be someone's work. */
function checkOutput(out: string): number {
  if (pathKind(out) === 'directory') throw new UsageError(`${out} is a folder; the output must be a dump file`);
  try {
    const existing = readDumpFile(out);
    return existing === undefined ? 0 : countEntries(existing.collections);
  } catch (error) {
    if (error instanceof DumpError) {
      throw new CommandFailure(`${error.message}; fix or remove it before merging into it`);
    }
    throw error;
  }
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge dump or fixture files into one, under the dump lock, atomically',
  usage: 'memotape merge <out> <in...> [--lock-timeout <duration>] [--json]',
  help: `Merges the entries of one or more dump or fixture files into <out>, which is created if it does not exist.
For an entry (collection and key) in several files, the last input wins, and the inputs win over what <out>
already holds. The merge takes the same lock as memoizers dumping at exit, folds in any side files they left, and
writes <out> atomically: readers see the whole old file or the whole new one.

Every input is read before anything is written: an input that is missing or does not parse stops the merge, and
so does an <out> that exists but is not a dump file (it is left untouched).

Options:
  --lock-timeout <duration>  how long to wait while another process holds the lock (default 3s): 500ms, 10s, 1m
  --json                     print JSON instead of text

Example:
  $ memotape merge test/fixtures/memoizer_cache.json ci-shard-1.json ci-shard-2.json
  merged 42 entries from 2 files into test/fixtures/memoizer_cache.json (57 entries in it now)

Exits 2 when an input does not exist, and 1 when one does not parse or when the lock stayed busy past
--lock-timeout (the entries then wait in a side file that the next merge folds in).`,
  options: { 'lock-timeout': { type: 'string' } },
  positionals: { min: 2, max: Number.POSITIVE_INFINITY, describe: 'an output file and at least one input file' },
  run({ positionals, values, json, io }): ExitCodeValue {
    const [out, ...inputs] = positionals as [string, ...string[]];
    const timeoutText = stringValue(values, 'lock-timeout');
    const lockBudgetMs = timeoutText === undefined ? DEFAULT_LOCK_TIMEOUT_MS : parseDuration(timeoutText);
    if (lockBudgetMs === undefined) {
      throw new UsageError(
        `--lock-timeout takes a duration such as 500ms, 10s or 1m, got ${JSON.stringify(timeoutText)}`,
      );
    }
    const before = checkOutput(out);
    const collections: DumpCollections = new Map();
    for (const input of inputs) mergeCollections(collections, openDumpFile(input).dump.collections);
    const entries = countEntries(collections);
    const outcome = mergeIntoDumpFile(out, collections, { lockBudgetMs });
    const after = outcome.status === 'written' ? countEntries(readDumpFile(out)?.collections ?? new Map()) : before;
    if (json) {
      printJson(io, {
        out,
        inputs,
        status: outcome.status,
        entries,
        total: after,
        ...(outcome.sideFile === undefined ? {} : { sideFile: outcome.sideFile }),
        ...(outcome.error === undefined ? {} : { error: outcome.error.message }),
      });
    }
    const from = `from ${plural(inputs.length, 'file')}`;
    switch (outcome.status) {
      case 'written':
        if (!json)
          io.out(
            `merged ${plural(entries, 'entry', 'entries')} ${from} into ${out} (${plural(after, 'entry', 'entries')} in it now)\n`,
          );
        return ExitCode.ok;
      case 'empty':
        if (!json) io.out(`nothing to merge: the inputs hold no entries; ${out} is unchanged\n`);
        return ExitCode.ok;
      case 'pending':
        io.err(`memotape merge: ${outcome.error?.message ?? 'the dump lock stayed busy'}\n`);
        return ExitCode.problems;
      default:
        io.err(`memotape merge: ${outcome.error?.message ?? `could not write ${out}`}\n`);
        return ExitCode.problems;
    }
  },
};
