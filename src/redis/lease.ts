import { randomUUID } from 'node:crypto';
import { withDeadline } from './deadline.js';
import { encodeQuietly } from './flight-results.js';
import type { Attempt } from './guard.js';
import type { EntryKeys } from './keys.js';
import { ACQUIRE, AcquireMode, AcquireReply, ChannelMessage, COMPLETE, RENEW, runScript } from './scripts.js';
import type { SingleFlightHost, SingleFlightRequest, SingleFlightResult } from './single-flight-host.js';

/*
 * The single-flight lease: taken atomically with a look at the value (ACQUIRE), renewed while its owner computes,
 * and given back with the value stored and the waiters told, in one script (COMPLETE). See scripts.ts.
 */

/** What {@link acquire} found: the value, the lease taken, or someone else holding it; `startedAt` is server µs. */
export type Acquired = { readonly startedAt: number } & (
  | { readonly kind: 'hit'; readonly envelope: unknown }
  | { readonly kind: 'leased'; readonly envelope: unknown }
  | { readonly kind: 'miss' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'held'; readonly remaining: number }
);

/** A fresh lease token: only its owner can renew or release the lease. */
export function leaseToken(): string {
  return randomUUID();
}

/** Runs {@link ACQUIRE}; `undefined` when Redis did not answer. `token` may be empty in `Look` mode. */
export async function acquire(
  host: SingleFlightHost,
  keys: EntryKeys,
  token: string,
  mode: (typeof AcquireMode)[keyof typeof AcquireMode],
): Promise<Acquired | undefined> {
  const attempt: Attempt<unknown> = await host.guard.run('acquire', host.timeouts.get, () =>
    runScript(host.client(), ACQUIRE, [keys.value, keys.lease], [token, String(host.leaseMs), mode]),
  );
  if (!attempt.ok) {
    if (mode !== AcquireMode.Look && attempt.failure?.kind === 'timeout') releaseIfTaken(host, keys, token);
    return undefined;
  }
  const reply = attempt.value as readonly unknown[];
  const startedAt = Number(reply[2]);
  switch (reply[0]) {
    case AcquireReply.Hit:
      return { kind: 'hit', envelope: reply[1], startedAt };
    case AcquireReply.Leased:
      return { kind: 'leased', envelope: reply[1] === '' ? undefined : reply[1], startedAt };
    case AcquireReply.Held:
      return { kind: 'held', remaining: Number(reply[1]), startedAt };
    case AcquireReply.Refused:
      host.guard.reportReply('acquire', String(reply[1]));
      return { kind: 'refused', startedAt };
    default:
      return { kind: 'miss', startedAt };
  }
}

/** Computes under the lease (renewed meanwhile), then stores the value, releases the lease and notifies waiters. */
export async function computeUnderLease<T>(
  host: SingleFlightHost,
  hexKey: string,
  keys: EntryKeys,
  token: string,
  request: SingleFlightRequest<T>,
  startedAt: number,
): Promise<SingleFlightResult<T>> {
  host.counters.misses++;
  host.counters.leases++;
  const stopHeartbeat = startHeartbeat(host, keys, token);
  let value: T;
  try {
    value = await request.run();
  } catch (error) {
    stopHeartbeat();
    // Release at once, so waiters take over now rather than when the lease expires; the error stays ours.
    complete(host, keys, token, undefined, ChannelMessage.Released);
    throw error;
  }
  stopHeartbeat();
  const entry = encodeQuietly(host, request, value);
  const write = entry === undefined ? undefined : host.prepareWrite(hexKey, entry, startedAt);
  if (write instanceof Promise) {
    // A tagged entry: its tag versions are read first (in the background too: the caller has its value already).
    const completion = write.then(
      (prepared) => complete(host, keys, token, prepared, ChannelMessage.Local),
      () => complete(host, keys, token, undefined, ChannelMessage.Local),
    );
    host.track(completion);
  } else {
    complete(host, keys, token, write, ChannelMessage.Local);
  }
  return { value, source: 'computed', entry };
}

/** Stores the value (if any), releases the lease and notifies waiters, in one script, in the background. */
export function complete(
  host: SingleFlightHost,
  keys: EntryKeys,
  token: string,
  write: { readonly envelope: string; readonly ttl: number } | undefined,
  messageWhenNotStored: string,
): void {
  const args = [token, write?.envelope ?? '', String(write?.ttl ?? 0), keys.channel, messageWhenNotStored];
  const done = host.guard
    .run('complete', host.timeouts.set, () => runScript(host.client(), COMPLETE, [keys.value, keys.lease], args))
    .then((attempt) => {
      if (!attempt.ok) return;
      const [stored, refusal] = attempt.value as readonly unknown[];
      if (stored === 1) host.counters.writes++;
      else if (typeof refusal === 'string' && refusal !== '') host.guard.reportReply('complete', refusal);
    });
  host.track(done);
}

/**
 * After an ACQUIRE timed out, the script may still run later (a paused server, a slow link) and take a lease
 * nobody renews or releases. Commands on one connection run in order, so a release queued now runs right after it
 * and gives the lease back at once; if the connection died instead, the lease expires within `leaseMs`.
 */
function releaseIfTaken(host: SingleFlightHost, keys: EntryKeys, token: string): void {
  const args = [token, '', '0', keys.channel, ChannelMessage.Released];
  const release = withDeadline(
    runScript(host.client(), COMPLETE, [keys.value, keys.lease], args),
    host.timeouts.set,
    'release',
  ).catch(() => {});
  host.track(release);
}

/** Renews the lease every `leaseMs / 3` until stopped; a renewal that finds the lease lost stops renewing. */
function startHeartbeat(host: SingleFlightHost, keys: EntryKeys, token: string): () => void {
  let renewing = false;
  let stopped = false;
  const renew = async (): Promise<void> => {
    if (renewing || stopped) return;
    renewing = true;
    const attempt = await host.guard.run('renew', host.timeouts.set, () =>
      runScript(host.client(), RENEW, [keys.lease], [token, String(host.leaseMs)]),
    );
    renewing = false;
    if (attempt.ok && Number(attempt.value) === 0 && !stopped) {
      // Someone else may compute too now; our value is still stored when we finish (a duplicate, never a loss).
      host.counters.leasesLost++;
      stop();
    }
  };
  // Unref'd: the computation itself keeps the process alive as long as it needs to.
  const timer = setInterval(() => void renew(), Math.max(1, Math.floor(host.leaseMs / 3)));
  timer.unref();
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
