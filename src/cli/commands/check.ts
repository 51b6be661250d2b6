import { readDumpFile } from '../../dump/dump-file.js';
import {
  DUMP_VERSION,
  type DumpCollections,
  type DumpContents,
  type DumpEntry,
  toDumpEntry,
} from '../../dump/dump-format.js';
import { DumpError } from '../../errors.js';
import { scanDumpForSecrets } from '../../testing/secret-scan.js';
import { errorMessage } from '../cache-dir.js';
import { type Command, type CommandIo, ExitCode, type ExitCodeValue, stringValues, UsageError } from '../command.js';
import { oneLine, plural, printJson } from '../output.js';
import { decodeForDisplay } from '../render-value.js';
import { openCacheDir, pathKind, requireCacheDir } from '../sources.js';

/** One thing wrong with a checked file or cache dir. */
interface Problem {
  readonly kind: 'unreadable' | 'corrupt' | 'unsupported-version' | 'damaged' | 'misplaced' | 'undecodable' | 'secret';
  readonly message: string;
  /** The dump collection or store folder of the entry, when the problem is in one entry. */
  readonly group?: string;
  readonly key?: string;
  readonly namespace?: string;
  /** Where in the entry (`result.headers.authorization`), for undecodable values and secrets. */
  readonly path?: string;
  readonly secretName?: string;
  readonly encoding?: 'raw' | 'url' | 'base64';
}

/** What checking one path found. */
interface Report {
  readonly path: string;
  readonly kind: 'dump' | 'cache';
  entries: number;
  readonly problems: Problem[];
}

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ENCODING_TEXT = { raw: '', url: ' (URL-encoded)', base64: ' (base64-encoded)' } as const;

/** Undecodable values and secret values in the entries, wherever they came from. */
function checkEntries(dump: DumpContents, secrets: Readonly<Record<string, string>>, problems: Problem[]): number {
  let entries = 0;
  for (const [group, collection] of dump.collections) {
    for (const [key, entry] of collection) {
      entries++;
      for (const field of ['params', 'result'] as const) {
        const decoded = decodeForDisplay(entry[field], field);
        if (decoded.ok) continue;
        const place = { group, key, namespace: entry.namespace };
        problems.push({ kind: 'undecodable', message: `does not decode: ${decoded.error}`, ...place, path: field });
      }
    }
  }
  for (const leak of scanDumpForSecrets(dump, secrets)) {
    problems.push({
      kind: 'secret',
      message: `holds the value of ${leak.secretName}${ENCODING_TEXT[leak.encoding]} at ${leak.path}`,
      group: leak.collection,
      key: leak.key,
      namespace: leak.namespace,
      path: leak.path,
      secretName: leak.secretName,
      encoding: leak.encoding,
    });
  }
  return entries;
}

function checkDumpFile(file: string, secrets: Readonly<Record<string, string>>): Report {
  const report: Report = { path: file, kind: 'dump', entries: 0, problems: [] };
  let dump: DumpContents | undefined;
  try {
    dump = readDumpFile(file);
  } catch (error) {
    const reason = error instanceof DumpError ? error.reason : undefined;
    const kind = reason === 'corrupt' || reason === 'unsupported-version' ? reason : 'unreadable';
    report.problems.push({ kind, message: errorMessage(error) });
    return report;
  }
  if (dump === undefined) {
    report.problems.push({ kind: 'unreadable', message: `${file} was removed while it was being checked` });
    return report;
  }
  report.entries = checkEntries(dump, secrets, report.problems);
  return report;
}

/** Every entry file's header, version, key and checksum; then the entries as in a dump; then the exit dump. */
function checkCacheDir(directory: string, secrets: Readonly<Record<string, string>>): Report[] {
  const source = requireCacheDir(openCacheDir(directory));
  const report: Report = { path: directory, kind: 'cache', entries: 0, problems: [] };
  const collections: DumpCollections = new Map();
  for (const scan of source.folders) {
    const collection = new Map<string, DumpEntry>();
    collections.set(scan.folder.subDir, collection);
    for (const error of scan.errors) report.problems.push({ kind: 'unreadable', message: errorMessage(error) });
    for (const folder of scan.misplaced) {
      report.problems.push({ kind: 'misplaced', message: `a folder where an entry file should be: ${folder}` });
    }
    for (const record of scan.records) {
      if (record.state.ok) collection.set(record.file.key, toDumpEntry(record.state.entry));
      else {
        report.entries++;
        report.problems.push({
          kind: 'damaged',
          message: `damaged entry file (${record.state.reason}): ${record.file.file}`,
          group: record.subDir,
          key: record.file.key,
        });
      }
    }
  }
  report.entries += checkEntries({ version: DUMP_VERSION, collections }, secrets, report.problems);
  return source.dumpFile === undefined ? [report] : [report, checkDumpFile(source.dumpFile, secrets)];
}

function describeProblem(report: Report, problem: Problem): string {
  if (problem.key === undefined) return oneLine(problem.message);
  const label = report.kind === 'dump' ? 'collection' : 'sub dir';
  const where = [
    `${label} ${problem.group}`,
    ...(problem.namespace === undefined ? [] : [problem.namespace]),
    `key ${problem.key}`,
  ];
  return `${where.join(', ')}: ${problem.message}`;
}

function problemJson(report: Report, problem: Problem): object {
  const { group, ...rest } = problem;
  return group === undefined ? rest : { [report.kind === 'dump' ? 'collection' : 'subDir']: group, ...rest };
}

function print(
  reports: readonly Report[],
  scanned: readonly string[],
  unset: readonly string[],
  json: boolean,
  io: CommandIo,
) {
  const problems = reports.reduce((total, report) => total + report.problems.length, 0);
  if (json) {
    printJson(io, {
      ok: problems === 0,
      problems,
      checked: reports.map((report) => ({
        path: report.path,
        kind: report.kind,
        entries: report.entries,
        problems: report.problems.map((problem) => problemJson(report, problem)),
      })),
      secrets: { scanned, unset },
    });
  } else {
    for (const report of reports) {
      const entries = plural(report.entries, 'entry', 'entries');
      if (report.problems.length === 0) {
        io.out(`${report.path}: ok, ${entries}\n`);
        continue;
      }
      const contents = report.entries === 0 ? '' : ` in ${entries}`;
      io.out(`${report.path}: ${plural(report.problems.length, 'problem')}${contents}\n`);
      for (const problem of report.problems) io.out(`  ${describeProblem(report, problem)}\n`);
    }
    const secretsNote = scanned.length === 0 ? '' : `, searched for ${plural(scanned.length, 'secret')}`;
    io.out(
      `${problems === 0 ? 'no problems' : plural(problems, 'problem')} in ${plural(reports.length, 'checked path')}${secretsNote}\n`,
    );
  }
  for (const name of unset)
    io.err(`memotape check: ${name} is not set (or empty), so its value was not searched for\n`);
  return problems;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'verify dump files and cache dirs, and search them for secret values (for CI and pre-commit hooks)',
  usage: 'memotape check <file | cache dir...> [--secret <ENV_NAME>...] [--json]',
  help: `Checks dump or fixture files and PersistentMemoizer cache dirs:
  - a dump or fixture file must parse and be format version 1;
  - a cache dir's entry files must have an intact header, version, key and checksum (its memoizer_cache.json, if
    any, is checked as a dump file);
  - every recorded params and result must decode from tagged JSON;
  - with --secret, no entry may hold the value of that environment variable: as it is, URL-encoded, or
    base64-encoded. Give the variable's name, not its value: the value is read from the environment, so it never
    appears on the command line. A variable that is not set is reported on stderr and skipped.

Options:
  --secret <ENV_NAME>  search for this variable's value; repeat it for several
  --json               print JSON instead of text

Example:
  $ memotape check test/fixtures/*.json --secret GITHUB_TOKEN
  test/fixtures/github.json: 1 problem in 3 entries
    collection null, fetchRepo, key 5b0e51c0f6b5b7d4a1f3e0c9d8b7a6f5: holds the value of GITHUB_TOKEN at result.headers.authorization
  test/fixtures/users.json: ok, 2 entries
  1 problem in 2 checked paths, searched for 1 secret

Exits 1 when any problem is found, 0 when none is.`,
  options: { secret: { type: 'string', multiple: true } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, describe: 'at least one dump file or cache dir' },
  run({ positionals, values, json, io }): ExitCodeValue {
    const names = [...new Set(stringValues(values, 'secret'))];
    for (const name of names) {
      if (!ENVIRONMENT_NAME.test(name)) {
        // Never echo it: someone may have pasted the secret itself.
        throw new UsageError('--secret takes the name of an environment variable (such as API_TOKEN), not a value');
      }
    }
    for (const target of positionals) {
      if (pathKind(target) === 'missing') throw new UsageError(`no such file or folder: ${target}`);
    }
    const secrets: Record<string, string> = {};
    const unset: string[] = [];
    for (const name of names) {
      const value = io.env[name];
      if (value === undefined || value === '') unset.push(name);
      else secrets[name] = value;
    }
    const reports = positionals.flatMap((target) =>
      pathKind(target) === 'directory' ? checkCacheDir(target, secrets) : [checkDumpFile(target, secrets)],
    );
    const problems = print(reports, Object.keys(secrets), unset, json, io);
    return problems === 0 ? ExitCode.ok : ExitCode.problems;
  },
};
