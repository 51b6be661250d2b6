import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { StoredEntry } from '../stores/store.js';
import type { Channels } from './channels.js';
import type { RedisClient } from './client.js';
import { withDeadline } from './deadline.js';
import type { RemoteEntry } from './envelope.js';
import type { Attempt, Guard } from './guard.js';
import { type EntryKeys, entryKeys } from './keys.js';
import type { RedisCounters } from './redis-stats.js';
import {
  ACQUIRE,
  AcquireMode,
  AcquireReply,
  ChannelMessage,
  COMPLETE,
  DELETE_IF_SAME,
  RENEW,
  runScript,
} from './scripts.js';

/**
 * One call of `RedisStore.singleFlight()`: how to compute the value, and how to turn it into a StoredEntry and back.
 *
 * @example
 * ```ts
 * const request: SingleFlightRequest<User> = {
 *   namespace: 'fetchUser',
 *   run: () => fetchUser(42),
 *   encode: (user) => ({ namespace: 'fetchUser', params: { args: [42] }, result: user, promise: true, createdAt: Date.now() }),
 *   decode: (entry) => entry.result as User,
 * };
 * ```
 */
export interface SingleFlightRequest<T> {
  /** The namespace the key belongs to: a stored entry of another namespace reads as a miss. @default any */
  readonly namespace?: string | undefined;
  /** Computes the value. Its errors reach this caller only: they are never stored or shared with other processes. */
  readonly run: () => T | PromiseLike<T>;
  /**
   * Turns a computed value into the entry to store; `undefined` means it must not be stored. If it throws, the value
   * is returned but not stored.
   */
  readonly encode: (value: T) => StoredEntry | undefined;
  /** Turns a stored entry back into a value. If it throws, the entry counts as damaged and the value is computed. */
  readonly decode: (entry: StoredEntry) => T;
  /**
   * For `refresh()`: whether an entry found in Redis still needs refreshing.
   * @default `entry.staleAt` has passed by `Date.now()`
   */
  readonly stale?: ((entry: StoredEntry) => boolean) | undefined;
}

/**
 * Where a `singleFlight()` value came from: `hit` (found in Redis at once), `waited` (computed by another process
 * while this one waited), `computed` (computed here under the lease, and stored for everyone) or `local` (computed
 * here without a lease: Redis unreachable or full, the wait timed out, or single flight is off).
 */
export type SingleFlightSource = 'hit' | 'waited' | 'computed' | 'local';

/**
 * The outcome of `RedisStore.singleFlight()`.
 *
 * @example
 * ```ts
 * const { value, source, entry } = await remote.singleFlight(key, request);
 * if (source === 'hit' || source === 'waited') memory.insert(entry); // came from Redis
 * ```
 */
export interface SingleFlightResult<T> {
  readonly value: T;
  readonly source: SingleFlightSource;
  /** The stored entry (`hit`, `waited`), or the computed value's entry (`undefined` when `encode` threw). */
  readonly entry: StoredEntry | undefined;
}

/** What single flight needs from its store. */
export interface SingleFlightHost {
  readonly prefix: string;
  readonly leaseMs: number;
  readonly waitTimeout: number;
  readonly singleFlight: boolean;
  readonly timeouts: { readonly get: number; readonly set: number };
  readonly guard: Guard;
  readonly channels: Channels;
  readonly counters: RedisCounters;
  client(): RedisClient;
  /**
   * The envelope and PX to store `entry` under `hexKey`, or `undefined` when it must not be stored (for a tagged
   * entry, asynchronously: its tag versions are read first, and a tag invalidated since `startedAt` — server
   * microseconds — means it is not stored).
   */
  prepareWrite(hexKey: string, entry: StoredEntry, startedAt?: number): PreparedWrite | Promise<PreparedWrite>;
  /** The entry in an envelope read from the value key, or `undefined` (damaged, expired, wrong key). */
  readEnvelope(hexKey: string, text: unknown): RemoteEntry | undefined;
  /** Whether the tags of `entry` were not invalidated since it was stored. */
  tagsAreCurrent(entry: RemoteEntry): Promise<boolean>;
  /** Writes `entry` in the background, as `set()` does. */
  writeInBackground(hexKey: string, entry: StoredEntry, startedAt?: number): void;
  track(promise: Promise<unknown>): void;
}

/** A value ready to be written: its envelope and PX, or `undefined` for nothing to write. */
export type PreparedWrite = { readonly envelope: string; readonly ttl: number } | undefined;

// Waiters look again after these pauses (doubling), so a lost pub/sub message costs at most MAX_POLL of latency.
const FIRST_POLL = 25;
const MAX_POLL = 1000;

type Acquired = { readonly startedAt: number } & (
  | { readonly kind: 'hit'; readonly envelope: unknown }
  | { readonly kind: 'leased'; readonly envelope: unknown }
  | { readonly kind: 'miss' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'held'; readonly remaining: number }
);

/** Runs `request` for `hexKey` so that, across every process sharing the server, one computes and others wait. */
export async function singleFlight<T>(
  host: SingleFlightHost,
  hexKey: string,
  request: SingleFlightRequest<T>,
  retried = false,
): Promise<SingleFlightResult<T>> {
  const keys = entryKeys(host.prefix, hexKey);
  const token = randomUUID();
  const first = await acquire(host, keys, token, host.singleFlight ? AcquireMode.Lease : AcquireMode.Look);
  if (first === undefined) return computeLocally(host, hexKey, request, true, undefined);
  switch (first.kind) {
    case 'hit': {
      const found = await fromStored(host, hexKey, keys, request, first.envelope, 'hit');
      if (found !== undefined) return found;
      // A stale entry (a tag invalidated since it was stored) was just removed: go through single flight again, once.
      return retried
        ? computeLocally(host, hexKey, request, true, first.startedAt)
        : singleFlight(host, hexKey, request, true);
    }
    case 'leased':
      return computeUnderLease(host, hexKey, keys, token, request, first.startedAt);
    case 'held':
      return waitForOwner(host, hexKey, keys, token, request);
    default:
      // A miss without single flight, or a lease the server refused (OOM, READONLY): compute, try to store.
      return computeLocally(host, hexKey, request, true, first.startedAt);
  }
}

/** Runs {@link ACQUIRE}; `undefined` when Redis did not answer. */
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
    if (!(await host.tagsAreCurrent(entry))) {
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

function encodeQuietly<T>(host: SingleFlightHost, request: SingleFlightRequest<T>, value: T): StoredEntry | undefined {
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

async function waitForOwner<T>(
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
