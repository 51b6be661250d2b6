import { statSync } from 'node:fs';
import { readDumpFile } from '../../dump/dump-file.js';
import { countEntries } from '../../dump/dump-format.js';
import { errorMessage } from '../cache-dir.js';
import { type Command, type CommandIo, ExitCode, type ExitCodeValue } from '../command.js';
import { type Column, formatTable, isoTime, plural, printJson } from '../output.js';
import { formatAge, formatBytes } from '../sizes.js';
import {
  type CacheSource,
  type DumpSource,
  type EntryRecord,
  entryRecords,
  groupField,
  groupLabel,
  openSource,
} from '../sources.js';

/** One line of the listing: the entries of one function in one collection or store folder. */
interface FunctionRow {
  readonly group: string;
  readonly name: string;
  entries: number;
  bytes: number;
  expired: number;
  oldestCreatedAt: number | undefined;
  lastUsedAt: number | undefined;
}

function summarize(records: readonly EntryRecord[], now: number): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  for (const record of records) {
    const id = JSON.stringify([record.group, record.entry.namespace]);
    let row = rows.get(id);
    if (row === undefined) {
      row = {
        group: record.group,
        name: record.entry.namespace,
        entries: 0,
        bytes: 0,
        expired: 0,
        oldestCreatedAt: undefined,
        lastUsedAt: undefined,
      };
      rows.set(id, row);
    }
    row.entries++;
    row.bytes += record.bytes;
    if (record.entry.expiresAt !== undefined && record.entry.expiresAt <= now) row.expired++;
    if (record.createdAt !== undefined)
      row.oldestCreatedAt = Math.min(row.oldestCreatedAt ?? Infinity, record.createdAt);
    if (record.lastUsedAt !== undefined) row.lastUsedAt = Math.max(row.lastUsedAt ?? -Infinity, record.lastUsedAt);
  }
  return [...rows.values()].sort((a, b) => compare(a.group, b.group) || compare(a.name, b.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(rows: readonly FunctionRow[], field: 'entries' | 'bytes'): number {
  return rows.reduce((total, row) => total + row[field], 0);
}

function listDump(source: DumpSource, json: boolean, io: CommandIo): ExitCodeValue {
  const now = io.now();
  const rows = summarize(entryRecords(source), now);
  const entries = sum(rows, 'entries');
  if (json) {
    printJson(io, {
      kind: 'dump',
      path: source.path,
      version: source.dump.version,
      entries,
      bytes: source.bytes,
      modifiedAt: isoTime(source.modifiedAt),
      functions: rows.map((row) => ({
        collection: row.group,
        name: row.name,
        entries: row.entries,
        bytes: row.bytes,
        expired: row.expired,
      })),
    });
    return ExitCode.ok;
  }
  const collections = new Set(rows.map((row) => row.group)).size;
  const contents =
    entries === 0 ? 'no entries' : `${plural(entries, 'entry', 'entries')} in ${plural(collections, 'collection')}`;
  io.out(
    `${source.path}: dump file, ${contents}, ${formatBytes(source.bytes)}, modified ${formatAge(source.modifiedAt, now)}\n`,
  );
  if (rows.length > 0) io.out(`\n${formatTable(rows, [...commonColumns('COLLECTION')])}`);
  return ExitCode.ok;
}

function commonColumns(groupHeader: string): Column<FunctionRow>[] {
  return [
    { header: groupHeader, value: (row) => row.group },
    { header: 'FUNCTION', value: (row) => row.name },
    { header: 'ENTRIES', value: (row) => String(row.entries), align: 'right' },
    { header: 'SIZE', value: (row) => formatBytes(row.bytes), align: 'right' },
  ];
}

/** The exit dump that sits in a cache dir, summarized in one line (or why it does not parse). */
function describeDumpFile(file: string, now: number): { json: object; text: string } {
  try {
    const dump = readDumpFile(file);
    const stats = statSync(file);
    const entries = dump === undefined ? 0 : countEntries(dump.collections);
    return {
      json: { path: file, entries, bytes: stats.size, modifiedAt: isoTime(stats.mtimeMs) },
      text: `dump file ${file}: ${plural(entries, 'entry', 'entries')}, ${formatBytes(stats.size)}, modified ${formatAge(stats.mtimeMs, now)}`,
    };
  } catch (error) {
    return { json: { path: file, error: errorMessage(error) }, text: `dump file ${file}: ${errorMessage(error)}` };
  }
}

function listCache(source: CacheSource, json: boolean, io: CommandIo): ExitCodeValue {
  const now = io.now();
  const rows = summarize(entryRecords(source), now);
  const folders = source.folders.map((scan) => {
    const damaged = scan.records.filter((record) => !record.state.ok).length + scan.misplaced.length;
    const live = rows.filter((row) => row.group === scan.folder.subDir);
    return { subDir: scan.folder.subDir, entries: sum(live, 'entries'), bytes: sum(live, 'bytes'), damaged };
  });
  const dumpFile = source.dumpFile === undefined ? undefined : describeDumpFile(source.dumpFile, now);
  const entries = sum(rows, 'entries');
  const bytes = sum(rows, 'bytes');
  const damaged = folders.reduce((total, folder) => total + folder.damaged, 0);
  if (json) {
    printJson(io, {
      kind: 'cache',
      path: source.path,
      cacheDir: source.cacheDir,
      entries,
      bytes,
      damaged,
      folders,
      functions: rows.map((row) => ({
        [groupField(source)]: row.group,
        name: row.name,
        entries: row.entries,
        bytes: row.bytes,
        expired: row.expired,
        oldestCreatedAt: isoTime(row.oldestCreatedAt),
        lastUsedAt: isoTime(row.lastUsedAt),
      })),
      dumpFile: dumpFile?.json ?? null,
    });
    return ExitCode.ok;
  }
  const contents =
    entries === 0
      ? 'no entries'
      : `${plural(entries, 'entry', 'entries')} in ${plural(folders.filter((folder) => folder.entries > 0).length, groupLabel(source))}`;
  io.out(`${source.path}: cache dir, ${contents}, ${formatBytes(bytes)}\n`);
  if (rows.length > 0) {
    const columns: Column<FunctionRow>[] = [
      ...commonColumns('SUB DIR'),
      {
        header: 'OLDEST',
        value: (row) => (row.oldestCreatedAt === undefined ? '' : formatAge(row.oldestCreatedAt, now)),
      },
      { header: 'LAST USED', value: (row) => (row.lastUsedAt === undefined ? '' : formatAge(row.lastUsedAt, now)) },
    ];
    io.out(`\n${formatTable(rows, columns)}`);
  }
  const notes = folders
    .filter((folder) => folder.damaged > 0)
    .map((folder) => `${folder.subDir}: ${plural(folder.damaged, 'damaged entry file')} (memotape check lists them)`);
  if (dumpFile !== undefined) notes.push(dumpFile.text);
  if (notes.length > 0) io.out(`\n${notes.join('\n')}\n`);
  return ExitCode.ok;
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the functions of a dump file or cache dir: entry counts, sizes, ages',
  usage: 'memotape ls <file | cache dir> [--json]',
  help: `Lists the functions recorded in a dump or fixture file, by collection, or in a PersistentMemoizer cache dir, by
sub dir, with how many entries each has and their size.

Dump entries carry no times (so fixtures stay byte-stable): the file's modification time is shown. Cache dir
entries show when the oldest was recorded (OLDEST) and when one was last used (LAST USED). Damaged entry files and
the cache dir's exit dump are noted below the table.

Options:
  --json   print JSON instead of a table

Example:
  $ memotape ls test/fixtures/memoizer_cache.json
  test/fixtures/memoizer_cache.json: dump file, 3 entries in 1 collection, 1.4 kB, modified 2h ago

  COLLECTION  FUNCTION   ENTRIES    SIZE
  null        fetchUser        2   812 B
  null        shouldPad        1   201 B`,
  options: {},
  positionals: { min: 1, max: 1, describe: 'a dump file or a cache dir' },
  run({ positionals, json, io }) {
    const source = openSource(positionals[0]!);
    return source.kind === 'dump' ? listDump(source, json, io) : listCache(source, json, io);
  },
};
