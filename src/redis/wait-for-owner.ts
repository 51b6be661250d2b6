import { performance } from 'node:perf_hooks';
import { computeLocally, fromStored } from './flight-results.js';
import type { EntryKeys } from './keys.js';
import { acquire, computeUnderLease } from './lease.js';
import { AcquireMode, ChannelMessage } from './scripts.js';
import type { SingleFlightHost, SingleFlightRequest, SingleFlightResult } from './single-flight-host.js';

// Waiters look again after these pauses (doubling), so a lost pub/sub message costs at most MAX_POLL of latency.
const FIRST_POLL = 25;
const MAX_POLL = 1000;

/**
 * Waits while another process holds the lease of `keys`: for its completion message on the key's channel, looking
 * again after each pause (polling, so a lost message cannot hang the caller), at most `waitTimeout` ms. Ends with the
 * owner's value, with the lease taken over (the owner failed, died or gave up), or with a computation here.
 */
export async function waitForOwner<T>(
  host: SingleFlightHost,
  hexKey: string,
  keys: EntryKeys,
  token: string,
  request: SingleFlightRequest<T>,
): Promise<SingleFlightResult<T>> {
  if (host.waitTimeout === 0) return computeLocally(host, hexKey, request, true, undefined);
  host.counters.waits++;
  const deadline = performance.now() + host.waitTimeout;
  const subscription = await host.channels.listen(keys.channel);
  try {
    let interval = FIRST_POLL;
    // The first look comes right after subscribing: a completion published before that is not missed.
    let pause = 0;
    for (;;) {
      let message = subscription.take();
      if (pause > 0 && message === undefined) {
        const left = deadline - performance.now();
        if (left <= 0) {
          host.counters.waitTimeouts++;
          return computeLocally(host, hexKey, request, true, undefined);
        }
        message = await subscription.next(Math.min(pause, left));
      }
      // The owner could not store its value (too large, unstorable, server full): no point waiting for it.
      if (message === ChannelMessage.Local) return computeLocally(host, hexKey, request, false, undefined);
      const next = await acquire(host, keys, token, AcquireMode.Lease);
      if (next === undefined || next.kind === 'refused' || next.kind === 'miss') {
        return computeLocally(host, hexKey, request, true, next?.startedAt);
      }
      if (next.kind === 'hit') {
        const found = await fromStored(host, hexKey, keys, request, next.envelope, 'waited');
        return found ?? computeLocally(host, hexKey, request, true, next.startedAt);
      }
      if (next.kind === 'leased') {
        host.counters.takeovers++;
        return computeUnderLease(host, hexKey, keys, token, request, next.startedAt);
      }
      // Still held: look again after the next pause, or as soon as the lease can have expired.
      pause = Math.max(1, Math.min(interval, next.remaining > 0 ? next.remaining + 5 : interval));
      interval = Math.min(interval * 2, MAX_POLL);
    }
  } finally {
    subscription.close();
  }
}
