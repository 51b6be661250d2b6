import { warn } from './internal/warn.js';
import type { MemoryEntry, TierCounters } from './memory-tier.js';
import { type ExportedEntry, toStoredEntry } from './stored-entry.js';
import type { PersistedTier, RemoteStore } from './stores/store.js';
import type { TieredStore } from './stores/tiered-store.js';

/** Where a memoizer writes a recorded entry beyond memory. */
export interface WriteThroughTargets {
  readonly counters: TierCounters;
  readonly tiered: TieredStore<PersistedTier>;
  /** The remote tier, when one takes part now. */
  readonly activeRemote: () => RemoteStore | undefined;
  /** Reports a tier that failed (one warning, and `stats().errors`). */
  readonly tierFailed: (tierName: string, error: unknown) => void;
}

/**
 * Writes a new memory entry to the writable persisted tiers and, for an async function's result, the remote tier
 * (unless `skipRemote`: it came from there). Nothing is waited for, and nothing throws: an unencodable result stays
 * in memory with one warning, and each failing tier is reported through `tierFailed`. Answers the entry's 32-hex key,
 * or `undefined` when it was not written.
 *
 * @example
 * ```ts
 * const hexKey = writeThrough(entry, false, { counters, tiered, activeRemote, tierFailed });
 * ```
 */
export function writeThrough(
  entry: MemoryEntry,
  skipRemote: boolean,
  targets: WriteThroughTargets,
): string | undefined {
  const { namespace } = entry;
  if (namespace.persistName === undefined || namespace.conflict !== undefined) return undefined;
  let stored: ExportedEntry;
  try {
    stored = toStoredEntry(entry);
  } catch (error) {
    targets.counters.errors++;
    warn(
      'MEMOTAPE_UNSTORABLE_RESULT',
      `${namespace.displayName}: result kept in memory only: ${(error as Error).message}`,
      `unstorable:${namespace.displayName}`,
    );
    return undefined;
  }
  targets.tiered.set(stored.key, stored.entry);
  // Only results of async functions go remote: a synchronous caller could never wait for them to come back.
  const remote = targets.activeRemote();
  if (remote !== undefined && entry.isPromise && !skipRemote) {
    remote.set(stored.key, stored.entry).catch((error: unknown) => targets.tierFailed('remote', error));
  }
  return stored.key;
}
