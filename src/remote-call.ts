import { decodeTagged } from './codec.js';
import { DeferredRecording } from './deferred-recording.js';
import type { CacheMissError } from './errors.js';
import { currentTick } from './freshness/freshness-clock.js';
import { wasInvalidated } from './freshness/invalidation.js';
import type { FreshnessPolicy, Lifetime } from './freshness/ttl-policy.js';
import { canonicalFromMemoryKey, persistedKey } from './key.js';
import type { Namespace } from './memory-tier.js';
import type { AnyFunction } from './options.js';
import { collectionView } from './remote-collection.js';
import type { RemoteStore, StoredEntry } from './stores/store.js';

/** What a wrapper's remote path needs from its memoizer. */
export interface RemoteHost {
  readonly remote: RemoteStore;
  /** Whether the remote tier takes part now (it sits out `withFreshCache` scopes). */
  active(): boolean;
  /** The memoizer's clock. */
  now(): number;
  /** Builds the stored form of a computed result (tagged JSON, timestamps from the memoizer's clock). */
  toStored(namespace: Namespace, params: unknown, encoded: unknown, lifetime: Lifetime): StoredEntry;
  /** Whether a result carrying `tags`, computed from tick `startedAt`, went stale meanwhile (tags, fresh cache). */
  isStale(tags: readonly string[] | undefined, startedAt: number): boolean;
  /** Counts a miss of this memoizer (a computation the remote tier could not spare). */
  countMiss(namespace: Namespace): void;
  /** Reports a remote operation that failed where no caller waits for it (one warning, and `stats().errors`). */
  remoteFailed(error: unknown): void;
  /** Stores a computed result in memory and the local persisted tiers; the remote tier already has it. */
  storeLocally(
    namespace: Namespace,
    key: unknown,
    params: unknown,
    encoded: unknown,
    lifetime: Lifetime,
    startedAt: number,
  ): void;
  /**
   * Fills memory and the local persisted tiers from a remote entry; `countHit` counts it as a remote hit. `hexKey` is
   * the call's 32-hex persisted key, computed once per call by the remote path (hashing it again costs a remote hit
   * more than its envelope check).
   */
  fillFromRemote(
    namespace: Namespace,
    key: unknown,
    hexKey: string,
    params: unknown,
    stored: StoredEntry,
    encoded: unknown,
    startedAt: number,
    countHit: boolean,
  ): void;
}

/** One wrapper's view of the remote path. */
export interface RemoteCallSpec {
  readonly fn: AnyFunction;
  readonly namespace: Namespace;
  readonly encoderFor: ((...args: unknown[]) => (result: never) => unknown) | undefined;
  readonly decoderFor: ((...args: unknown[]) => (encoded: never) => unknown) | undefined;
  readonly policy: FreshnessPolicy;
  /** Registers the in-process pending recording, so concurrent callers here share one promise. */
  readonly track: (
    key: unknown,
    params: unknown,
    recording: DeferredRecording,
    isPromise: boolean,
    call: { readonly args: unknown[]; raw: unknown; readonly startedAt: number },
  ) => void;
  /** The lifetime of one result (`undefined`: not stored), from the `ttl` and `tags` options. */
  readonly lifetimeOf: (raw: unknown, args: unknown[]) => Lifetime | undefined;
  /** Adds a computation's time (from `performance.now()` at `started`) to the miss statistics. */
  readonly timeMiss: (started: number) => void;
}

/**
 * Checks the `remote` option: anything with the {@link RemoteStore} methods (a `RedisStore`, or your own). Answers
 * the view of it a memoizer of `collection` uses: collections never share remote entries (see remote-collection.ts).
 */
export function validateRemote(value: unknown, collection: string): RemoteStore | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<Record<keyof RemoteStore, unknown>> | null;
  const required = ['get', 'set', 'delete', 'clear', 'singleFlight'] as const;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    required.some((name) => typeof candidate[name] !== 'function')
  ) {
    throw new TypeError(
      'Expected `remote` to be a remote store (a `RedisStore` from memotape/redis) with get, set, delete, clear and singleFlight methods',
    );
  }
  return collectionView(value as RemoteStore, collection);
}

/**
 * Whether a miss of this namespace may go to the remote tier: only functions known to return promises (a
 * synchronous caller cannot wait for the network), with a stable persisted name, and a TTL that allows storing.
 */
export function usesRemote(namespace: Namespace, ttl: FreshnessPolicy['ttl']): boolean {
  return (
    namespace.returnsPromise && namespace.persistName !== undefined && namespace.conflict === undefined && ttl !== 0
  );
}

/** The 32-hex persisted key of one call: hashed once per remote call, then handed to everything that needs it. */
function hexKeyOf(namespace: Namespace, key: unknown): string {
  return persistedKey(namespace.persistName as string, canonicalFromMemoryKey(key));
}

/** How a computation's value becomes a stored entry, and what the local tiers then get. */
interface Outcome {
  encoded: unknown;
  /** Set once the encoder ran: memory keeps the result even when it cannot be stored as JSON for other processes. */
  ran: boolean;
  lifetime: Lifetime | undefined;
  deferred: DeferredRecording | undefined;
  /** `performance.now()` when the function started (0: it did not run here), for a miss's computation time. */
  started: number;
}

/**
 * The single-flight request of one call. `encode` answers `undefined` (nothing is stored in Redis) when the result
 * must not be stored: a TTL of 0, a deferred recording (stored locally once it finalizes), or an invalidation that
 * happened while it was computed.
 */
function requestOf(
  host: RemoteHost,
  spec: RemoteCallSpec,
  thisArg: unknown,
  args: unknown[],
  params: unknown,
  recording: DeferredRecording,
  startedAt: number,
  outcome: Outcome,
) {
  const { namespace, encoderFor } = spec;
  return {
    namespace: namespace.persistName,
    run: () => {
      outcome.started = performance.now();
      return spec.fn.apply(thisArg, args);
    },
    encode: (value: unknown): StoredEntry | undefined => {
      outcome.encoded = encoderFor === undefined ? value : encoderFor(...args)(value as never);
      outcome.ran = true;
      outcome.lifetime = spec.lifetimeOf(value, args);
      if (outcome.encoded instanceof DeferredRecording) {
        outcome.deferred = outcome.encoded;
        return undefined;
      }
      const { lifetime } = outcome;
      if (lifetime === undefined || wasInvalidated(recording) || host.isStale(lifetime.tags, startedAt)) {
        return undefined;
      }
      return host.toStored(namespace, params, outcome.encoded, lifetime);
    },
    decode: (stored: StoredEntry) => decodeTagged(stored.result),
    stale: (stored: StoredEntry) => stored.staleAt !== undefined && stored.staleAt <= host.now(),
  };
}

/** Stores what this process computed in the local tiers (the remote tier already has it, when it could). */
function storeComputed(
  host: RemoteHost,
  spec: RemoteCallSpec,
  key: unknown,
  params: unknown,
  recording: DeferredRecording,
  startedAt: number,
  outcome: Outcome,
): void {
  const { namespace } = spec;
  const { lifetime } = outcome;
  if (lifetime === undefined || wasInvalidated(recording)) return;
  if (outcome.deferred !== undefined) {
    outcome.deferred.registerCallback((final) => host.storeLocally(namespace, key, params, final, lifetime, startedAt));
  } else if (outcome.ran) {
    host.storeLocally(namespace, key, params, outcome.encoded, lifetime, startedAt);
  }
}

/**
 * A `memoize` miss of an async function on a memoizer with a remote tier: one computation across every process that
 * shares the tier (the remote store's single flight), and one in this process (the pending recording).
 */
export function memoizeRemotely(
  host: RemoteHost,
  spec: RemoteCallSpec,
  thisArg: unknown,
  args: unknown[],
  key: unknown,
  params: unknown,
): Promise<unknown> {
  const { namespace, decoderFor } = spec;
  let derived: Promise<unknown> | undefined;
  // The recording only shares the in-flight promise: storing happens below, so it is abandoned (released) at the end.
  const recording = new DeferredRecording<unknown, unknown>({ makeInterimResult: () => derived });
  const startedAt = currentTick();
  const outcome: Outcome = { encoded: undefined, ran: false, lifetime: undefined, deferred: undefined, started: 0 };
  const hexKey = hexKeyOf(namespace, key);
  derived = host.remote
    .singleFlight(hexKey, requestOf(host, spec, thisArg, args, params, recording, startedAt, outcome))
    .then(
      ({ value, source, entry }) => {
        if (source === 'hit' || source === 'waited') {
          if (entry !== undefined) host.fillFromRemote(namespace, key, hexKey, params, entry, value, startedAt, true);
          recording.abandon();
          return decoderFor === undefined ? value : decoderFor(...args)(value as never);
        }
        host.countMiss(namespace);
        // Timed from the function's start: the computation a hit saves, not the Redis round trips before it.
        if (outcome.started !== 0) spec.timeMiss(outcome.started);
        storeComputed(host, spec, key, params, recording, startedAt, outcome);
        recording.abandon();
        return value;
      },
      (error: unknown) => {
        recording.abandon(error);
        throw error;
      },
    );
  spec.track(key, params, recording, true, { args, raw: undefined, startedAt });
  return derived;
}

/**
 * The background refresh of a stale entry (`staleWhileRevalidate`) on a memoizer with a remote tier: when the tier
 * can coordinate refreshes (`RemoteStore.refresh`), only one process refreshes a key at a time and the others keep
 * serving their stale copy; a process that finds a fresh entry there takes it instead of computing. Without it, the
 * refresh computes here and writes through.
 */
export function refreshRemotely(
  host: RemoteHost,
  spec: RemoteCallSpec,
  thisArg: unknown,
  args: unknown[],
  key: unknown,
  params: unknown,
): Promise<unknown> {
  const { namespace } = spec;
  const recording = new DeferredRecording<unknown, unknown>();
  const startedAt = currentTick();
  const outcome: Outcome = { encoded: undefined, ran: false, lifetime: undefined, deferred: undefined, started: 0 };
  const request = requestOf(host, spec, thisArg, args, params, recording, startedAt, outcome);
  const refresh = host.remote.refresh;
  const hexKey = hexKeyOf(namespace, key);
  const flight =
    refresh === undefined
      ? Promise.resolve(request.run()).then((value) => {
          const entry = request.encode(value);
          // Not waited for: the refresh keeps its result locally either way, so a failed write is only reported.
          if (entry !== undefined) host.remote.set(hexKey, entry).catch((error: unknown) => host.remoteFailed(error));
          return { value, source: 'local' as const, entry };
        })
      : refresh.call(host.remote, hexKey, request);
  return flight.then((result) => {
    // Another process is refreshing this key: keep serving the stale copy until its entry arrives.
    if (result === undefined) return;
    if (result.source === 'hit' || result.source === 'waited') {
      if (result.entry !== undefined) {
        host.fillFromRemote(namespace, key, hexKey, params, result.entry, result.value, startedAt, false);
      }
      return;
    }
    storeComputed(host, spec, key, params, recording, startedAt, outcome);
  });
}

/**
 * A `replay` miss of an async function on a memoizer with a remote tier: the remote entry, or a rejection with
 * {@link CacheMissError}. Never runs the function.
 */
export function replayRemotely(
  host: RemoteHost,
  spec: RemoteCallSpec,
  args: unknown[],
  key: unknown,
  params: unknown,
  miss: () => CacheMissError,
): Promise<unknown> {
  const { namespace, decoderFor } = spec;
  const startedAt = currentTick();
  const hexKey = hexKeyOf(namespace, key);
  return host.remote.get(hexKey).then((stored) => {
    if (stored === undefined || stored.namespace !== namespace.persistName) throw miss();
    let encoded: unknown;
    try {
      encoded = decodeTagged(stored.result);
    } catch {
      throw miss();
    }
    host.fillFromRemote(namespace, key, hexKey, params, stored, encoded, startedAt, true);
    return decoderFor === undefined ? encoded : decoderFor(...args)(encoded as never);
  });
}
