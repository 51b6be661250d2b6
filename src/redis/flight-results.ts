import type { StoredEntry } from '../stores/store.js';
import type { RemoteEntry } from './envelope.js';
import type { EntryKeys } from './keys.js';
import { DELETE_IF_SAME, runScript } from './scripts.js';
import type { SingleFlightHost, SingleFlightRequest, SingleFlightResult } from './single-flight-host.js';

/*
 * How a single flight ends without holding the lease: with a value found in Redis, or with a value computed here
 * (Redis unreachable or full, a wait that timed out, an entry that could not be read). Lease holders end in lease.ts.
 */

/** The entry without its tag versions (they only matter inside the Redis tier). */
export function withoutVersions(entry: RemoteEntry): StoredEntry {
  if (entry.tagVersions === undefined) return entry;
  const { tagVersions: _versions, ...stored } = entry;
  return stored;
}

/** Removes a stale value, unless another process replaced it meanwhile. Never rejects. */
export function removeIfSame(host: SingleFlightHost, keys: EntryKeys, envelope: unknown): Promise<unknown> {
  if (typeof envelope !== 'string') return Promise.resolve();
  const removal = host.guard.run('delete', host.timeouts.set, () =>
    runScript(host.client(), DELETE_IF_SAME, [keys.value], [envelope]),
  );
  host.track(removal);
  return removal;
}

/** The entry of a computed value, or `undefined` when `encode` throws (the value is then returned, not stored). */
export function encodeQuietly<T>(
  host: SingleFlightHost,
  request: SingleFlightRequest<T>,
  value: T,
): StoredEntry | undefined {
  try {
    return request.encode(value);
  } catch {
    // The value cannot be stored (the memoizer warns about unstorable results); it is still returned.
    host.counters.errors++;
    return undefined;
  }
}

/** Computes without a lease; `startedAt` (server microseconds, when known) guards the write against invalidations. */
export async function computeLocally<T>(
  host: SingleFlightHost,
  hexKey: string,
  request: SingleFlightRequest<T>,
  store: boolean,
  startedAt: number | undefined,
): Promise<SingleFlightResult<T>> {
  host.counters.misses++;
  host.counters.localComputations++;
  const value = await request.run();
  const entry = encodeQuietly(host, request, value);
  if (store && entry !== undefined) host.writeInBackground(hexKey, entry, startedAt);
  return { value, source: 'local', entry };
}

/**
 * The value of a stored envelope, or `undefined` when its tags were invalidated since it was stored (it is then
 * removed, unless it was replaced meanwhile). Damaged or undecodable entries are recomputed here and replaced.
 */
export async function fromStored<T>(
  host: SingleFlightHost,
  hexKey: string,
  keys: EntryKeys,
  request: SingleFlightRequest<T>,
  envelope: unknown,
  source: 'hit' | 'waited',
): Promise<SingleFlightResult<T> | undefined> {
  const entry = host.readEnvelope(hexKey, envelope);
  if (entry !== undefined && (request.namespace === undefined || entry.namespace === request.namespace)) {
    // Only tagged entries need another round trip (their tag versions); an untagged hit is answered at once.
    const tagged = entry.tags !== undefined && entry.tags.length > 0;
    if (tagged && !(await host.tagsAreCurrent(entry))) {
      host.counters.staleTags++;
      // Waited for: the caller goes through single flight again next, and must not find the stale value there.
      await removeIfSame(host, keys, envelope);
      return undefined;
    }
    try {
      const value = request.decode(entry);
      host.counters.hits++;
      return { value, source, entry: withoutVersions(entry) };
    } catch {
      // A decoder that cannot read the entry (changed code, damaged data): it is recomputed and replaced.
      host.counters.errors++;
    }
  }
  return computeLocally(host, hexKey, request, true, undefined);
}
