import { type Command, type CommandIo, ExitCode, type ExitCodeValue, stringValue, UsageError } from '../command.js';
import { indentContinuation, isoTime, plural, printJson } from '../output.js';
import { renderCall, renderValue } from '../render-value.js';
import { formatAge } from '../sizes.js';
import { type EntryRecord, entryRecords, groupField, groupLabel, openSource, type Source } from '../sources.js';

const KEY_PREFIX = /^[0-9a-f]{1,32}$/;

function matches(record: EntryRecord, fn: string | undefined, key: string | undefined): boolean {
  return (fn === undefined || record.entry.namespace === fn) && (key === undefined || record.key.startsWith(key));
}

function entryJson(source: Source, record: EntryRecord): object {
  const { entry } = record;
  return {
    [groupField(source)]: record.group,
    key: record.key,
    namespace: entry.namespace,
    promise: entry.promise,
    params: entry.params,
    result: entry.result,
    ...(entry.expiresAt === undefined ? {} : { expiresAt: isoTime(entry.expiresAt) }),
    ...(entry.tags === undefined ? {} : { tags: entry.tags }),
    ...(record.createdAt === undefined ? {} : { createdAt: isoTime(record.createdAt) }),
    ...(record.lastUsedAt === undefined ? {} : { lastUsedAt: isoTime(record.lastUsedAt) }),
  };
}

function describeEntry(source: Source, record: EntryRecord, io: CommandIo): string {
  const { entry } = record;
  const now = io.now();
  const facts = [`${groupLabel(source)} ${record.group}`, entry.promise ? 'async' : 'sync'];
  if (entry.expiresAt !== undefined) {
    facts.push(`${entry.expiresAt <= now ? 'expired' : 'expires'} ${isoTime(entry.expiresAt)}`);
  }
  if (entry.tags !== undefined && entry.tags.length > 0) facts.push(`tags ${entry.tags.join(', ')}`);
  if (record.createdAt !== undefined) facts.push(`created ${formatAge(record.createdAt, now)}`);
  if (record.lastUsedAt !== undefined) facts.push(`last used ${formatAge(record.lastUsedAt, now)}`);
  const indent = '          ';
  return [
    `${record.key}  ${facts.join(', ')}`,
    `  call:   ${indentContinuation(renderCall(entry.namespace, entry.params, io.colors), indent)}`,
    `  result: ${indentContinuation(renderValue(entry.result, io.colors), indent)}`,
  ].join('\n');
}

function noMatch(source: Source, records: readonly EntryRecord[], fn: string | undefined, key: string | undefined) {
  const wanted = [fn === undefined ? undefined : `of ${fn}`, key === undefined ? undefined : `with key ${key}`]
    .filter((part) => part !== undefined)
    .join(' ');
  const names = [...new Set(records.map((record) => record.entry.namespace))].sort();
  const known = names.length === 0 ? 'it has no entries' : `its functions: ${names.join(', ')}`;
  return `no entries ${wanted} in ${source.path} (${known})`;
}

function show(source: Source, fn: string | undefined, key: string | undefined, json: boolean, io: CommandIo) {
  const records = entryRecords(source);
  const found = records
    .filter((record) => matches(record, fn, key))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.key < b.key ? -1 : 1));
  if (json) {
    printJson(io, { path: source.path, entries: found.map((record) => entryJson(source, record)) });
  } else if (found.length > 0) {
    const title = fn ?? `key ${key}`;
    io.out(`${title} in ${source.path}: ${plural(found.length, 'entry', 'entries')}\n\n`);
    io.out(`${found.map((record) => describeEntry(source, record, io)).join('\n\n')}\n`);
  }
  if (found.length > 0) return ExitCode.ok;
  io.err(`memotape show: ${noMatch(source, records, fn, key)}\n`);
  return ExitCode.problems;
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show the entries of a function: params and decoded results',
  usage: 'memotape show <file | cache dir> --fn <name> [--key <key>] [--json]',
  help: `Shows the recorded entries of one function: each call with its arguments and its decoded result. Values
are decoded from tagged JSON and shown as Node shows them: a Date as its ISO time, a Map as its entries, a BigInt
as 12n. With --json the params and results stay in tagged JSON, exactly as stored.

Options:
  --fn <name>   the function (its namespace: the wrapper's name option, else the function's name)
  --key <key>   only the entry with this key, or keys starting with it (CacheMissError.key shows it)
  --json        print JSON instead of text
At least one of --fn and --key is needed.

Example:
  $ memotape show test/fixtures/memoizer_cache.json --fn fetchUser
  fetchUser in test/fixtures/memoizer_cache.json: 1 entry

  9a1f0c4be1d2a4c7f0e3b6d5c8a7f2e1  collection null, async
    call:   fetchUser(1)
    result: { id: 1, name: 'Ada', joined: 2020-01-01T00:00:00.000Z }

Exits 1 when no entry matches, listing the functions the file has.`,
  options: { fn: { type: 'string' }, key: { type: 'string' } },
  positionals: { min: 1, max: 1, describe: 'a dump file or a cache dir' },
  run({ positionals, values, json, io }): ExitCodeValue {
    const fn = stringValue(values, 'fn');
    const key = stringValue(values, 'key')?.toLowerCase();
    if (fn === undefined && key === undefined) throw new UsageError('show needs --fn <name> or --key <key>');
    if (fn === '') throw new UsageError('--fn needs a function name');
    if (key !== undefined && !KEY_PREFIX.test(key)) {
      throw new UsageError(`--key takes a 32-hex key or its first characters, got ${JSON.stringify(key)}`);
    }
    return show(openSource(positionals[0]!), fn, key, json, io);
  },
};
