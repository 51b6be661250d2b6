import { computeLocally, withoutVersions } from './flight-results.js';
import { entryKeys } from './keys.js';
import { acquire, complete, computeUnderLease, leaseToken } from './lease.js';
import { AcquireMode, ChannelMessage } from './scripts.js';
import type { SingleFlightHost, SingleFlightRequest, SingleFlightResult } from './single-flight-host.js';

/**
 * The background refresh of a stale entry (`staleWhileRevalidate`), at most one at a time across every process: the
 * refresh takes the single-flight lease even though a (stale) value is there. A process that finds the lease held
 * leaves it to its owner and answers `undefined` (its callers keep getting their stale copy); one that finds a value
 * already fresh (another process refreshed it a moment ago) takes that value instead of computing. Callers that miss
 * meanwhile wait for the refresh like for any lease. When Redis cannot be reached, the refresh runs here.
 */
export async function refreshFlight<T>(
  host: SingleFlightHost,
  hexKey: string,
  request: SingleFlightRequest<T>,
  now: () => number,
): Promise<SingleFlightResult<T> | undefined> {
  const stale = request.stale ?? ((found) => found.staleAt !== undefined && found.staleAt <= now());
  const keys = entryKeys(host.prefix, hexKey);
  const token = leaseToken();
  const acquired = await acquire(host, keys, token, AcquireMode.Refresh);
  if (acquired === undefined) return computeLocally(host, hexKey, request, true, undefined);
  if (acquired.kind === 'held') return undefined;
  if (acquired.kind !== 'leased') return computeLocally(host, hexKey, request, true, acquired.startedAt);
  const entry = acquired.envelope === undefined ? undefined : host.readEnvelope(hexKey, acquired.envelope);
  if (
    entry !== undefined &&
    (request.namespace === undefined || entry.namespace === request.namespace) &&
    !stale(entry) &&
    (await host.tagsAreCurrent(entry))
  ) {
    try {
      const value = request.decode(entry);
      complete(host, keys, token, undefined, ChannelMessage.Released);
      host.counters.hits++;
      return { value, source: 'hit', entry: withoutVersions(entry) };
    } catch {
      host.counters.errors++;
    }
  }
  return computeUnderLease(host, hexKey, keys, token, request, acquired.startedAt);
}
