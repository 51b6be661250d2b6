import { computeLocally, fromStored } from './flight-results.js';
import { type EntryKeys, entryKeys } from './keys.js';
import { acquire, computeUnderLease, leaseToken } from './lease.js';
import { AcquireMode } from './scripts.js';
import type { SingleFlightHost, SingleFlightRequest, SingleFlightResult } from './single-flight-host.js';
import { waitForOwner } from './wait-for-owner.js';

/**
 * Runs `request` for `hexKey` so that, across every process sharing the server, one computes and others wait.
 *
 * A hit, the common case, costs what a plain read costs: one `GET`, no script, no lease token. Only a miss runs the
 * ACQUIRE script, which looks at the value again atomically with taking the lease: a value written between the two
 * round trips is found there, so a lease is never taken over a stored value, just as if the script had run first.
 * A miss pays one more round trip; it computes (or waits) anyway.
 */
export async function singleFlight<T>(
  host: SingleFlightHost,
  hexKey: string,
  request: SingleFlightRequest<T>,
  retried = false,
): Promise<SingleFlightResult<T>> {
  const keys = entryKeys(host.prefix, hexKey);
  const read = await host.guard.run('get', host.timeouts.get, () => host.client().sendCommand(['GET', keys.value]));
  if (!read.ok) return computeLocally(host, hexKey, request, true, undefined);
  if (read.value !== null && read.value !== undefined) {
    return fromHit(host, hexKey, keys, request, read.value, undefined, retried);
  }
  const mode = host.singleFlight ? AcquireMode.Lease : AcquireMode.Look;
  // Without single flight the script only looks (and tells the server's clock, for tagged writes): no token.
  const token = mode === AcquireMode.Lease ? leaseToken() : '';
  const first = await acquire(host, keys, token, mode);
  if (first === undefined) return computeLocally(host, hexKey, request, true, undefined);
  switch (first.kind) {
    case 'hit':
      return fromHit(host, hexKey, keys, request, first.envelope, first.startedAt, retried);
    case 'leased':
      return computeUnderLease(host, hexKey, keys, token, request, first.startedAt);
    case 'held':
      return waitForOwner(host, hexKey, keys, token, request);
    default:
      // A miss without single flight, or a lease the server refused (OOM, READONLY): compute, try to store.
      return computeLocally(host, hexKey, request, true, first.startedAt);
  }
}

/** The value found in Redis; a stale one (a tag invalidated since it was stored) was removed: go again, once. */
async function fromHit<T>(
  host: SingleFlightHost,
  hexKey: string,
  keys: EntryKeys,
  request: SingleFlightRequest<T>,
  envelope: unknown,
  startedAt: number | undefined,
  retried: boolean,
): Promise<SingleFlightResult<T>> {
  const found = await fromStored(host, hexKey, keys, request, envelope, 'hit');
  if (found !== undefined) return found;
  return retried ? computeLocally(host, hexKey, request, true, startedAt) : singleFlight(host, hexKey, request, true);
}
