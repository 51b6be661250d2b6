import { isTaggedJson } from './codec/as-is.js';
import { encodeTagged, type Json } from './codec.js';
import { warn } from './internal/warn.js';
import type { MemoryEntry } from './memory-tier.js';
import type { StoredEntry } from './stores/store.js';
import { describeKey } from './wrap.js';

type Mutable<T> = { -readonly [Field in keyof T]: T[Field] };

/** One entry as the dump file and persisted tiers see it, with its collection and 32-hex key. */
export interface ExportedEntry {
  readonly key: string;
  readonly entry: StoredEntry;
}

/** A memory entry in persisted form: params and result in tagged JSON, and its 32-hex key. Throws when unencodable. */
export function toStoredEntry(entry: MemoryEntry): ExportedEntry {
  return { key: describeKey(entry.namespace, entry.key), entry: storedForm(entry, encodeTagged, tagParams) };
}

/** The params of an entry in tagged JSON, always a copy (what the persisted tiers keep). */
function tagParams(entry: MemoryEntry): Json {
  return encodeTagged(entry.params, 'params');
}

/**
 * The stored entry of a memory entry: params encoded by `encodeParams`, the result by `encode`. Fields are set one by one rather than
 * spread from conditional literals: the exit dump builds 100k of these, and each spread allocates.
 */
function storedForm(
  entry: MemoryEntry,
  encode: (value: unknown, rootPath: string) => Json,
  encodeParams: (entry: MemoryEntry) => Json,
): StoredEntry {
  const namespace = entry.namespace;
  const stored: Mutable<StoredEntry> = {
    namespace: namespace.persistName ?? namespace.displayName,
    params: encodeParams(entry),
    result: encode(entry.result, 'result'),
    promise: entry.isPromise,
    createdAt: entry.createdAt,
  };
  const { expiresAt, staleAt, tags } = entry;
  if (expiresAt !== Number.POSITIVE_INFINITY) stored.expiresAt = expiresAt;
  if (staleAt !== Number.POSITIVE_INFINITY) stored.staleAt = staleAt;
  if (tags !== undefined) stored.tags = tags;
  return stored;
}

/**
 * Params and results that are tagged JSON already are not copied: the exit dump serializes them right away, and
 * copying 100k results (and holding the copies while the dump merges) costs more than the rest of the export.
 */
function encodeForDump(value: unknown, rootPath: string): Json {
  return isTaggedJson(value) ? value : encodeTagged(value, rootPath);
}

/** The dump's params: for default `{ args }` params, only the arguments need checking (the wrapper is ours). */
function paramsForDump(entry: MemoryEntry): Json {
  const args = entry.defaultArgs;
  if (args !== undefined && isTaggedJson(args)) return { args };
  return encodeForDump(entry.params, 'params');
}

/**
 * The unexpired entries of one collection in persisted form, for the exit dump (and fixture files). Entries that
 * cannot be persisted (a namespace without a stable name, an unencodable result) are left out with one warning
 * each, and `onUnstorable` counts the latter. Serialize them before any other code runs: their params and results
 * may be the recorded values themselves (see encodeForDump).
 */
export function exportEntries(
  entries: Iterable<MemoryEntry>,
  now: number,
  collection: string,
  onUnstorable: () => void,
): ExportedEntry[] {
  // An array rather than a generator: the dump takes every entry at once, and each generator step costs more than
  // the entry's own work here.
  const exported: ExportedEntry[] = [];
  // Per function: how many results could not be stored, and the first reason; one warning each, after the loop.
  const unstorable = new Map<string, { count: number; reason: string }>();
  for (const entry of entries) {
    const { namespace } = entry;
    if (entry.expiresAt <= now) continue;
    if (namespace.persistName === undefined || namespace.conflict !== undefined) {
      warn(
        'MEMOTAPE_NAMESPACE_LEFT_OUT',
        `entries of ${namespace.displayName} were left out of the dump: ${namespace.conflict ?? 'it has no stable name; give it a `name` option'}.`,
        `left-out:${collection}:${namespace.displayName}`,
      );
      continue;
    }
    try {
      exported.push({ key: describeKey(namespace, entry.key), entry: storedForm(entry, encodeForDump, paramsForDump) });
    } catch (error) {
      onUnstorable();
      const seen = unstorable.get(namespace.displayName);
      if (seen === undefined) unstorable.set(namespace.displayName, { count: 1, reason: (error as Error).message });
      else seen.count++;
    }
  }
  for (const [displayName, { count, reason }] of unstorable) {
    warn(
      'MEMOTAPE_UNSTORABLE_RESULT',
      `${count === 1 ? 'an entry' : `${count} entries`} of ${displayName} ${count === 1 ? 'was' : 'were'} left out of the dump: ${reason}${count === 1 ? '' : ' (the first reason)'}`,
      `unstorable-dump:${displayName}`,
    );
  }
  return exported;
}
