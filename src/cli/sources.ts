import { statSync } from 'node:fs';
import path from 'node:path';
import { readDumpFile } from '../dump/dump-file.js';
import { DUMP_FILE_NAME, type DumpContents, type DumpEntry, toDumpEntry } from '../dump/dump-format.js';
import { DumpError } from '../errors.js';
import { validateFolderName } from '../options.js';
import { DISK_LAYOUT_DIR } from '../stores/disk-layout.js';
import { type FolderScan, layoutDirectory, listStoreFolders, readStoreFolder } from './cache-dir.js';
import { CommandFailure, UsageError } from './command.js';

/*
 * The inputs of the commands: a dump or fixture file (one JSON file in the dump format), or a PersistentMemoizer
 * cache dir. Both become a flat list of entry records, so `show` and `diff` work the same on either.
 */

/** A parsed dump or fixture file. */
export interface DumpSource {
  readonly kind: 'dump';
  /** The path as the user gave it. */
  readonly path: string;
  /** The file's modification time: dump entries carry no times of their own, so fixtures stay byte-stable. */
  readonly modifiedAt: number;
  /** The file's size. */
  readonly bytes: number;
  readonly dump: DumpContents;
}

/** A cache dir with every entry file read and checked. */
export interface CacheSource {
  readonly kind: 'cache';
  /** The path as the user gave it. */
  readonly path: string;
  /** The cache dir itself (the user may have named its `disk-v1` folder or one store folder). */
  readonly cacheDir: string;
  /** The one store folder read, when the user named a store folder or passed `--sub-dir`. */
  readonly subDir: string | undefined;
  readonly folders: FolderScan[];
  /** The cache dir's exit dump (`memoizer_cache.json`), when there is one. */
  readonly dumpFile: string | undefined;
}

export type Source = DumpSource | CacheSource;

/** One readable entry of a source. */
export interface EntryRecord {
  /** The dump collection, or the cache dir's store folder (`subDir`). */
  readonly group: string;
  readonly key: string;
  readonly entry: DumpEntry;
  /** The entry's bytes: its JSON in a dump, its file in a cache dir. */
  readonly bytes: number;
  /** When it was recorded (cache dirs only). */
  readonly createdAt?: number | undefined;
  /** When it was last used: the file's modification time (cache dirs only). */
  readonly lastUsedAt?: number | undefined;
}

/** What a path on the command line is. */
export function pathKind(file: string): 'file' | 'directory' | 'missing' {
  try {
    return statSync(file).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * The cache dir a folder stands for. People often pass the `disk-v1` folder, or one store folder inside it, rather
 * than the cache dir itself; both are understood (the latter reads just that store).
 */
export function resolveCacheDir(directory: string): { cacheDir: string; subDir: string | undefined } {
  const absolute = path.resolve(directory);
  if (path.basename(absolute) === DISK_LAYOUT_DIR) return { cacheDir: path.dirname(absolute), subDir: undefined };
  const parent = path.dirname(absolute);
  if (path.basename(parent) === DISK_LAYOUT_DIR) {
    return { cacheDir: path.dirname(parent), subDir: path.basename(absolute) };
  }
  return { cacheDir: absolute, subDir: undefined };
}

/** Reads a dump or fixture file. A path that is not there is a usage error; a file that does not parse, a failure. */
export function openDumpFile(file: string): DumpSource {
  const kind = pathKind(file);
  if (kind === 'missing') throw new UsageError(`no such file: ${file}`);
  if (kind === 'directory') throw new UsageError(`${file} is a folder; give a dump or fixture file`);
  let dump: DumpContents | undefined;
  try {
    dump = readDumpFile(file);
  } catch (error) {
    if (error instanceof DumpError) throw new CommandFailure(error.message);
    throw error;
  }
  if (dump === undefined) throw new UsageError(`no such file: ${file}`);
  const stats = statSync(file);
  return { kind: 'dump', path: file, modifiedAt: stats.mtimeMs, bytes: stats.size, dump };
}

/** Checks a `--sub-dir` value as `PersistentMemoizer` checks `subDir`. */
export function checkSubDirOption(subDir: string | undefined): string | undefined {
  try {
    validateFolderName(subDir, 'subDir');
  } catch {
    throw new UsageError(
      `--sub-dir takes one folder name (no path separators, not starting with "."), got ${JSON.stringify(subDir)}`,
    );
  }
  return subDir;
}

/**
 * The cache dir (and store folder) a command-line folder stands for. A path that is not there, or is a file, is a
 * usage error; so is a store folder path with a `--sub-dir` naming another one.
 */
export function cacheDirArgument(
  directory: string,
  subDir: string | undefined,
): { cacheDir: string; subDir: string | undefined } {
  const kind = pathKind(directory);
  if (kind === 'missing') throw new UsageError(`no such folder: ${directory}`);
  if (kind === 'file') throw new UsageError(`${directory} is a file; give a cache dir`);
  const resolved = resolveCacheDir(directory);
  if (subDir !== undefined && resolved.subDir !== undefined && subDir !== resolved.subDir) {
    throw new UsageError(`${directory} is the folder of sub dir ${resolved.subDir}, not of --sub-dir ${subDir}`);
  }
  return { cacheDir: resolved.cacheDir, subDir: subDir ?? resolved.subDir };
}

/**
 * Reads every entry file of a cache dir (or of one store folder: `subDir`, or the folder the user named). Temp files
 * last modified before `staleBefore` are removed on the way; by default nothing is.
 */
export function openCacheDir(
  directory: string,
  options: { readonly subDir?: string | undefined; readonly staleBefore?: number | undefined } = {},
): CacheSource {
  const { cacheDir, subDir } = cacheDirArgument(directory, options.subDir);
  const folders = listStoreFolders(cacheDir, subDir).map((folder) => readStoreFolder(folder, options.staleBefore));
  const dumpFile = path.join(cacheDir, DUMP_FILE_NAME);
  return {
    kind: 'cache',
    path: directory,
    cacheDir,
    subDir,
    folders,
    dumpFile: pathKind(dumpFile) === 'file' ? dumpFile : undefined,
  };
}

/**
 * Refuses a folder with neither a `disk-v1` folder nor an exit dump: most likely a folder of fixture files, and
 * reading it as an empty cache dir would report "ok, 0 entries" for files that were never looked at.
 */
export function requireCacheDir(source: CacheSource): CacheSource {
  if (source.dumpFile !== undefined || pathKind(layoutDirectory(source.cacheDir)) === 'directory') return source;
  throw new UsageError(
    `${source.path} is not a cache dir (it has no ${DISK_LAYOUT_DIR} folder and no ${DUMP_FILE_NAME}); ` +
      `give dump or fixture files by name, e.g. ${path.join(source.path, '*.json')}`,
  );
}

/** Opens a path as a dump file or a cache dir, by what it is on disk. */
export function openSource(file: string): Source {
  return pathKind(file) === 'directory' ? requireCacheDir(openCacheDir(file)) : openDumpFile(file);
}

/** What a source calls its groups of entries, for headings and messages. */
export function groupLabel(source: Source): 'collection' | 'sub dir' {
  return source.kind === 'dump' ? 'collection' : 'sub dir';
}

/** The JSON field name of a record's group. */
export function groupField(source: Source): 'collection' | 'subDir' {
  return source.kind === 'dump' ? 'collection' : 'subDir';
}

/** Every readable entry of a source, by group and key (damaged disk entries are left to `check`). */
export function entryRecords(source: Source): EntryRecord[] {
  const records: EntryRecord[] = [];
  if (source.kind === 'dump') {
    for (const [group, collection] of source.dump.collections) {
      for (const [key, entry] of collection) {
        records.push({ group, key, entry, bytes: Buffer.byteLength(JSON.stringify(entry)) });
      }
    }
    return records;
  }
  for (const scan of source.folders) {
    for (const record of scan.records) {
      if (!record.state.ok) continue;
      const stored = record.state.entry;
      records.push({
        group: record.subDir,
        key: record.file.key,
        entry: toDumpEntry(stored),
        bytes: record.file.size,
        createdAt: stored.createdAt,
        lastUsedAt: record.file.mtimeMs,
      });
    }
  }
  return records;
}
