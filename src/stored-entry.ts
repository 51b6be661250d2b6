import { encodeTagged, type Json } from './codec.js';
import { warn } from './internal/warn.js';
import type { MemoryEntry } from './memory-tier.js';
import type { StoredEntry } from './stores/store.js';
import { describeKey } from './wrap.js';

/** One entry as the dump file and persisted tiers see it, with its collection and 32-hex key. */
export interface ExportedEntry {
  readonly key: string;
  readonly entry: StoredEntry;
}

/** A memory entry in persisted form: params and result in tagged JSON, and its 32-hex key. Throws when unencodable. */
export function toStoredEntry(entry: MemoryEntry): ExportedEntry {
  const namespace = entry.namespace;
  const persistName = namespace.persistName ?? namespace.displayName;
  const stored: StoredEntry = {
    namespace: persistName,
    params: encodeTagged(entry.params, 'params') as Json,
    result: encodeTagged(entry.result, 'result') as Json,
    promise: entry.isPromise,
    createdAt: entry.createdAt,
    ...(entry.expiresAt === Number.POSITIVE_INFINITY ? {} : { expiresAt: entry.expiresAt }),
    ...(entry.staleAt === Number.POSITIVE_INFINITY ? {} : { staleAt: entry.staleAt }),
    ...(entry.tags === undefined ? {} : { tags: entry.tags }),
  };
  return { key: describeKey(namespace, entry.key), entry: stored };
}

/**
 * The unexpired entries of one collection in persisted form, for the exit dump. Entries that cannot be persisted (a
 * namespace without a stable name, an unencodable result) are left out with one warning each, and `onUnstorable`
 * counts the latter.
 */
export function* exportEntries(
  entries: Iterable<MemoryEntry>,
  now: number,
  collection: string,
  onUnstorable: () => void,
): IterableIterator<ExportedEntry> {
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
      yield toStoredEntry(entry);
    } catch (error) {
      onUnstorable();
      warn(
        'MEMOTAPE_UNSTORABLE_RESULT',
        `an entry of ${namespace.displayName} was left out of the dump: ${(error as Error).message}`,
        `unstorable-dump:${namespace.displayName}`,
      );
    }
  }
}
