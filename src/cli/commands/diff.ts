import type { Json } from '../../codec.js';
import type { DumpEntry } from '../../dump/dump-format.js';
import { type Command, type CommandIo, ExitCode, type ExitCodeValue } from '../command.js';
import { plural, printJson } from '../output.js';
import { renderCall } from '../render-value.js';
import { type EntryRecord, entryRecords, groupLabel, openSource, type Source } from '../sources.js';
import { describeChange, diffTagged, type ValueChange } from '../value-diff.js';

/** The differences of one function in one collection (or store folder). */
interface FunctionDiff {
  readonly namespace: string;
  readonly group: string;
  readonly added: EntryRecord[];
  readonly removed: EntryRecord[];
  readonly changed: { readonly record: EntryRecord; readonly changes: ValueChange[] }[];
}

/** An expiry time as a tagged Date, so a diff line shows it as an ISO time. */
function expiryJson(expiresAt: number | undefined): Json | undefined {
  return expiresAt === undefined ? undefined : { $mt: 'D', v: expiresAt };
}

function field(kind: 'before' | 'after', value: Json | undefined): Partial<Record<'before' | 'after', Json>> {
  return value === undefined ? {} : { [kind]: value };
}

/** Every difference between two recordings of the same call (same collection and key). */
function compareEntries(before: DumpEntry, after: DumpEntry): ValueChange[] {
  const changes: ValueChange[] = [];
  if (before.namespace !== after.namespace) {
    changes.push({ kind: 'changed', path: 'namespace', before: before.namespace, after: after.namespace });
  }
  if (before.promise !== after.promise) {
    changes.push({ kind: 'changed', path: 'promise', before: before.promise, after: after.promise });
  }
  if (before.expiresAt !== after.expiresAt) {
    const [old, next] = [expiryJson(before.expiresAt), expiryJson(after.expiresAt)];
    const kind = old === undefined ? 'added' : next === undefined ? 'removed' : 'changed';
    changes.push({ kind, path: 'expiresAt', ...field('before', old), ...field('after', next) });
  }
  changes.push(...diffTagged((before.tags ?? []) as Json, (after.tags ?? []) as Json, 'tags'));
  changes.push(...diffTagged(before.params, after.params, 'params'));
  changes.push(...diffTagged(before.result, after.result, 'result'));
  return changes;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function diffSources(a: Source, b: Source): { functions: FunctionDiff[]; unchanged: number } {
  const byId = (records: EntryRecord[]) =>
    new Map(records.map((record) => [`${record.group}\u0000${record.key}`, record]));
  const before = byId(entryRecords(a));
  const after = byId(entryRecords(b));
  const functions = new Map<string, FunctionDiff>();
  const diffOf = (record: EntryRecord): FunctionDiff => {
    const id = JSON.stringify([record.entry.namespace, record.group]);
    let found = functions.get(id);
    if (found === undefined) {
      found = { namespace: record.entry.namespace, group: record.group, added: [], removed: [], changed: [] };
      functions.set(id, found);
    }
    return found;
  };
  let unchanged = 0;
  for (const [id, old] of before) {
    const next = after.get(id);
    if (next === undefined) {
      diffOf(old).removed.push(old);
      continue;
    }
    const changes = compareEntries(old.entry, next.entry);
    if (changes.length === 0) unchanged++;
    else diffOf(next).changed.push({ record: next, changes });
  }
  for (const [id, next] of after) if (!before.has(id)) diffOf(next).added.push(next);
  const sorted = [...functions.values()].sort((x, y) => compare(x.namespace, y.namespace) || compare(x.group, y.group));
  for (const entry of sorted) {
    entry.added.sort((x, y) => compare(x.key, y.key));
    entry.removed.sort((x, y) => compare(x.key, y.key));
    entry.changed.sort((x, y) => compare(x.record.key, y.record.key));
  }
  return { functions: sorted, unchanged };
}

function totals(functions: readonly FunctionDiff[]) {
  const count = (pick: (diff: FunctionDiff) => readonly unknown[]) =>
    functions.reduce((total, diff) => total + pick(diff).length, 0);
  return {
    added: count((diff) => diff.added),
    removed: count((diff) => diff.removed),
    changed: count((diff) => diff.changed),
  };
}

function printText(a: Source, b: Source, functions: readonly FunctionDiff[], unchanged: number, io: CommandIo) {
  const { added, removed, changed } = totals(functions);
  const label = groupLabel(b);
  const call = (record: EntryRecord) => renderCall(record.entry.namespace, record.entry.params, false, false);
  for (const diff of functions) {
    const counts = [`${diff.added.length} added`, `${diff.removed.length} removed`, `${diff.changed.length} changed`];
    const lines = [`${diff.namespace} (${label} ${diff.group}): ${counts.join(', ')}`];
    for (const record of diff.added) lines.push(`  + ${record.key}  ${call(record)}`);
    for (const record of diff.removed) lines.push(`  - ${record.key}  ${call(record)}`);
    for (const { record, changes } of diff.changed) {
      lines.push(`  ~ ${record.key}  ${call(record)}`);
      for (const change of changes) lines.push(`      ${describeChange(change)}`);
    }
    io.out(`${lines.join('\n')}\n\n`);
  }
  const differing = added + removed + changed;
  if (differing === 0) {
    io.out(`no differences between ${a.path} and ${b.path}: ${plural(unchanged, 'entry', 'entries')} in both\n`);
  } else {
    io.out(
      `${plural(differing, 'entry', 'entries')} differ: ${added} added, ${removed} removed, ${changed} changed (${unchanged} unchanged)\n`,
    );
  }
}

function changeJson(change: ValueChange): object {
  return { kind: change.kind, path: change.path, ...field('before', change.before), ...field('after', change.after) };
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'compare two dump files or cache dirs: added, removed and changed entries per function',
  usage: 'memotape diff <a> <b> [--json]',
  help: `Compares two dump or fixture files (or cache dirs) entry by entry, matching entries by collection (sub dir)
and key. For each function it lists the entries only in <b> (+ added), only in <a> (- removed), and in both with
different contents (~ changed). A changed entry is shown by the paths that differ, with the values decoded:
  result.items[2].name: "a" → "b"
  result.get("id"): 1 → 2          (a Map, by key)
  result.total: (absent) → 12n
A change of key order alone is reported too, because a replay returns the recorded order.

Options:
  --json   print JSON instead of text (values in tagged JSON)

Example:
  $ memotape diff old.json new.json
  fetchUser (collection null): 1 added, 0 removed, 1 changed
    + 5b0e51c0f6b5b7d4a1f3e0c9d8b7a6f5  fetchUser(2)
    ~ 9a1f0c4be1d2a4c7f0e3b6d5c8a7f2e1  fetchUser(1)
        result.name: "Ada" → "Ada Lovelace"

  2 entries differ: 1 added, 0 removed, 1 changed (3 unchanged)

Exits 0 when there are no differences and 1 when there are, as diff(1) does.`,
  options: {},
  positionals: { min: 2, max: 2, describe: 'two dump files or cache dirs' },
  run({ positionals, json, io }): ExitCodeValue {
    const a = openSource(positionals[0]!);
    const b = openSource(positionals[1]!);
    const { functions, unchanged } = diffSources(a, b);
    const summary = { ...totals(functions), unchanged };
    if (json) {
      printJson(io, {
        a: a.path,
        b: b.path,
        summary,
        functions: functions.map((diff) => ({
          namespace: diff.namespace,
          [b.kind === 'dump' ? 'collection' : 'subDir']: diff.group,
          added: diff.added.map((record) => ({ key: record.key, params: record.entry.params })),
          removed: diff.removed.map((record) => ({ key: record.key, params: record.entry.params })),
          changed: diff.changed.map(({ record, changes }) => ({
            key: record.key,
            params: record.entry.params,
            changes: changes.map(changeJson),
          })),
        })),
      });
    } else {
      printText(a, b, functions, unchanged, io);
    }
    return summary.added + summary.removed + summary.changed === 0 ? ExitCode.ok : ExitCode.problems;
  },
};
