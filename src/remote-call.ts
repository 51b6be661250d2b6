import { decodeTagged } from './codec.js';
import { DeferredRecording } from './deferred-recording.js';
import type { CacheMissError } from './errors.js';
import { canonicalFromMemoryKey, persistedKey } from './key.js';
import type { Namespace } from './memory-tier.js';
import type { AnyFunction } from './options.js';
import type { RemoteStore, StoredEntry } from './stores/store.js';

/** What a wrapper's remote path needs from its memoizer. */
export interface RemoteHost {
  readonly remote: RemoteStore;
  /** Builds the stored form of a computed result (tagged JSON, timestamps from the memoizer's clock). */
  toStored(namespace: Namespace, params: unknown, encoded: unknown, ttl: number | undefined): StoredEntry;
  /** Stores a computed result in memory and the local persisted tiers; the remote tier already has it. */
  storeLocally(namespace: Namespace, key: unknown, params: unknown, encoded: unknown, ttl: number | undefined): void;
  /** Fills memory and the local persisted tiers from a remote entry, and counts a remote hit. */
  fillFromRemote(namespace: Namespace, key: unknown, params: unknown, stored: StoredEntry, encoded: unknown): void;
}

/** One wrapper's view of the remote path. */
export interface RemoteCallSpec {
  readonly fn: AnyFunction;
  readonly namespace: Namespace;
  readonly encoderFor: ((...args: unknown[]) => (result: never) => unknown) | undefined;
  readonly decoderFor: ((...args: unknown[]) => (encoded: never) => unknown) | undefined;
  readonly ttl: number | undefined;
  /** Registers the in-process pending recording, so concurrent callers here share one promise. */
  readonly track: (key: unknown, params: unknown, recording: DeferredRecording, isPromise: boolean) => void;
}

/** Checks the `remote` option: anything with the {@link RemoteStore} methods (a `RedisStore`, or your own). */
export function validateRemote(value: unknown): RemoteStore | undefined {
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
  return value as RemoteStore;
}

/**
 * Whether a miss of this namespace may go to the remote tier: only functions known to return promises (a
 * synchronous caller cannot wait for the network), with a stable persisted name, and a TTL that allows storing.
 */
export function usesRemote(namespace: Namespace, ttl: number | undefined): boolean {
  return (
    namespace.returnsPromise && namespace.persistName !== undefined && namespace.conflict === undefined && ttl !== 0
  );
}

function hexKeyOf(namespace: Namespace, key: unknown): string {
  return persistedKey(namespace.persistName as string, canonicalFromMemoryKey(key));
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
  const { namespace, encoderFor, decoderFor, ttl } = spec;
  let derived: Promise<unknown> | undefined;
  // The recording only shares the in-flight promise: storing happens below, so it is abandoned (released) at the end.
  const recording = new DeferredRecording<unknown, unknown>({ makeInterimResult: () => derived });
  let encodedResult: unknown;
  // Set once the encoder ran: memory keeps the result even when it cannot be stored as JSON for other processes.
  let encoded = false;
  let deferred: DeferredRecording | undefined;
  derived = host.remote
    .singleFlight(hexKeyOf(namespace, key), {
      namespace: namespace.persistName,
      run: () => spec.fn.apply(thisArg, args),
      encode: (value: unknown) => {
        encodedResult = encoderFor === undefined ? value : encoderFor(...args)(value as never);
        encoded = true;
        if (encodedResult instanceof DeferredRecording) {
          deferred = encodedResult;
          throw new Error('a deferred recording is stored locally when it finalizes');
        }
        return host.toStored(namespace, params, encodedResult, ttl);
      },
      decode: (stored: StoredEntry) => decodeTagged(stored.result),
    })
    .then(
      ({ value, source, entry }) => {
        if (source === 'hit' || source === 'waited') {
          if (entry !== undefined) host.fillFromRemote(namespace, key, params, entry, value);
          recording.abandon();
          return decoderFor === undefined ? value : decoderFor(...args)(value as never);
        }
        if (deferred !== undefined) {
          deferred.registerCallback((final) => host.storeLocally(namespace, key, params, final, ttl));
        } else if (encoded) {
          host.storeLocally(namespace, key, params, encodedResult, ttl);
        }
        recording.abandon();
        return value;
      },
      (error: unknown) => {
        recording.abandon(error);
        throw error;
      },
    );
  spec.track(key, params, recording, true);
  return derived;
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
  return host.remote.get(hexKeyOf(namespace, key)).then((stored) => {
    if (stored === undefined || stored.namespace !== namespace.persistName) throw miss();
    let encoded: unknown;
    try {
      encoded = decodeTagged(stored.result);
    } catch {
      throw miss();
    }
    host.fillFromRemote(namespace, key, params, stored, encoded);
    return decoderFor === undefined ? encoded : decoderFor(...args)(encoded as never);
  });
}
