import { types } from 'node:util';
import { DeferredRecording } from './deferred-recording.js';
import { CacheMissError } from './errors.js';
import {
  canonicalFromMemoryKey,
  canonicalize,
  canonicalizeArgList,
  memoryKeyForArgs,
  memoryKeyForArgument,
  persistedKey,
} from './key.js';
import type { MemoryEntry, MemoryTier, Namespace } from './memory-tier.js';
import type { AnyFunction, ResultDecoderFactory, ResultEncoderFactory } from './options.js';
import { PrimitiveKeyCache } from './primitive-key-cache.js';
import { memoizeRemotely, type RemoteHost, replayRemotely, usesRemote } from './remote-call.js';

/** What a wrapper needs from its memoizer; implemented by `Memoizer`. */
export interface WrapperHost {
  readonly memory: MemoryTier;
  /** The remote tier's view of the memoizer, when it has a `remote` option. */
  readonly remote: RemoteHost | undefined;
  /** Whether any persisted tier (preload, disk, remote) can answer a memory miss. */
  hasPersistedTiers(): boolean;
  /** Looks a memory miss up in the persisted tiers, filling memory from a hit. */
  lookupPersisted(namespace: Namespace, key: unknown, params: unknown): MemoryEntry | undefined;
  /** Stores a recorded call in memory and the persisted tiers. */
  store(
    namespace: Namespace,
    key: unknown,
    params: unknown,
    encoded: unknown,
    isPromise: boolean,
    ttl: number | undefined,
  ): void;
}

export type WrapperKind = 'record' | 'replay' | 'memoize';

export interface WrapperSpec {
  readonly kind: WrapperKind;
  readonly fn: AnyFunction;
  readonly namespace: Namespace;
  readonly paramsEncoder: ((...args: unknown[]) => unknown) | undefined;
  readonly resultEncoder: ResultEncoderFactory | undefined;
  readonly resultDecoder: ResultDecoderFactory | undefined;
  readonly ttl: number | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

// Pending recordings are held weakly: one that is dropped without being finalized (a cancelled computation) must
// not keep its key, its params or the recording itself alive.
const pendingCleanup = new FinalizationRegistry<{
  namespace: Namespace;
  key: unknown;
  ref: WeakRef<DeferredRecording>;
}>(({ namespace, key, ref }) => {
  if (namespace.pending.get(key) === ref) namespace.pending.delete(key);
});

/** The 32-hex key of a call, for error messages; falls back to a description when the call cannot be persisted. */
export function describeKey(namespace: Namespace, key: unknown): string {
  return persistedKey(namespace.persistName ?? namespace.displayName, canonicalFromMemoryKey(key));
}

/** Keeps the wrapped function's name and length, as users (and stack traces) expect. */
export function copyFunctionIdentity<F extends Function>(wrapper: F, original: Function): F {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  return wrapper;
}

/** Builds the call path of a `record`, `replay` or `memoize` wrapper. */
export function createWrapper(host: WrapperHost, spec: WrapperSpec): AnyFunction {
  const { kind, fn, namespace, paramsEncoder, ttl } = spec;
  const encoderFor = spec.resultEncoder?.(fn);
  const decoderFor = spec.resultDecoder?.(fn);
  // Only calls known to return promises may wait for a remote tier: an async function, or one seen returning one.
  if (types.isAsyncFunction(fn)) namespace.returnsPromise = true;

  const keyOf = paramsEncoder
    ? (args: unknown[]): { key: unknown; params: unknown } => {
        const params = paramsEncoder(...args);
        return { key: canonicalize(params, 'params'), params };
      }
    : undefined;

  const decode = (entry: MemoryEntry, args: unknown[]): unknown => {
    if (decoderFor === undefined) {
      if (!entry.isPromise) return entry.result;
      entry.promise ??= Promise.resolve(entry.result);
      return entry.promise;
    }
    const decoded = decoderFor(...args)(entry.result);
    return entry.isPromise ? Promise.resolve(decoded) : decoded;
  };

  const track = (key: unknown, params: unknown, recording: DeferredRecording, isPromise: boolean): void => {
    const ref = new WeakRef(recording);
    namespace.pending.set(key, ref);
    pendingCleanup.register(recording, { namespace, key, ref }, ref);
    const release = (): boolean => {
      pendingCleanup.unregister(ref);
      // A newer recording of the same call (a later `record`) wins: this one must not overwrite its result.
      if (namespace.pending.get(key) !== ref) return namespace.pending.has(key) === false;
      namespace.pending.delete(key);
      return true;
    };
    recording.registerCallback(
      (encoded) => {
        if (release()) host.store(namespace, key, params, encoded, isPromise, ttl);
      },
      () => {
        release();
      },
    );
  };

  const recordPromise = (key: unknown, params: unknown, args: unknown[], pending: PromiseLike<unknown>) => {
    let derived: Promise<unknown> | undefined;
    const recording = new DeferredRecording<unknown, unknown>({ makeInterimResult: () => derived });
    derived = Promise.resolve(pending).then(
      (value) => {
        if (recording.state !== 'pending') return value;
        let encoded: unknown = value;
        if (encoderFor !== undefined) {
          try {
            encoded = encoderFor(...args)(value as never);
          } catch (error) {
            recording.abandon(error);
            throw error;
          }
          if (encoded instanceof DeferredRecording) {
            encoded.registerCallback(
              (final) => recording.state === 'pending' && recording.finalize(final),
              (reason) => recording.abandon(reason),
            );
            return value;
          }
        }
        recording.finalize(encoded);
        return value;
      },
      (error: unknown) => {
        recording.abandon(error);
        throw error;
      },
    );
    track(key, params, recording, true);
    return derived;
  };

  const record = (thisArg: unknown, args: unknown[], key: unknown, params: unknown): unknown => {
    const result = fn.apply(thisArg, args);
    if (isThenable(result)) {
      namespace.returnsPromise = true;
      return recordPromise(key, params, args, result);
    }
    if (encoderFor === undefined) {
      host.store(namespace, key, params, result, false, ttl);
      return result;
    }
    const encoded = encoderFor(...args)(result as never);
    if (encoded instanceof DeferredRecording) track(key, params, encoded, false);
    else host.store(namespace, key, params, encoded, false, ttl);
    return result;
  };

  const { memory } = host;
  const { counters } = memory;
  const { entries } = namespace;
  // Without an LRU bound and a decoder, a hit on an entry that never expires is answered without calling into the
  // memory tier: nothing to expire, nothing to move, nothing to decode. Every other hit goes through find().
  const plainHits = memory.maxEntries === Number.POSITIVE_INFINITY && decoderFor === undefined;
  const find = (key: unknown, params: unknown, args: unknown[]): MemoryEntry | undefined => {
    const entry = memory.get(namespace, key);
    if (entry !== undefined) {
      counters.hits.memory++;
      return entry;
    }
    return host.hasPersistedTiers() ? host.lookupPersisted(namespace, key, params ?? { args }) : undefined;
  };

  const interim = (key: unknown): { value: unknown } | undefined => {
    const recording = namespace.pending.get(key)?.deref();
    return recording?.state === 'pending' ? recording.getInterimResult() : undefined;
  };

  const { remote } = host;
  const remoteSpec = { fn, namespace, encoderFor, decoderFor, ttl, track };

  const keyOfArgs = (args: unknown[]): { key: unknown; params: unknown } =>
    keyOf ? keyOf(args) : { key: memoryKeyForArgs(args), params: undefined };

  const replayCall = (args: unknown[], key: unknown, params: unknown): unknown => {
    const entry = find(key, params, args);
    if (entry !== undefined) return decode(entry, args);
    const pending = interim(key);
    if (pending !== undefined) return pending.value;
    const miss = () => {
      counters.misses++;
      return new CacheMissError(namespace.displayName, describeKey(namespace, key));
    };
    if (remote !== undefined && usesRemote(namespace, ttl)) {
      return replayRemotely(remote, remoteSpec, args, key, params ?? { args }, miss);
    }
    throw miss();
  };

  const memoizeCall = (thisArg: unknown, args: unknown[], key: unknown, params: unknown): unknown => {
    const entry = find(key, params, args);
    if (entry !== undefined) return decode(entry, args);
    const pending = interim(key);
    if (pending !== undefined) return pending.value;
    if (remote !== undefined && usesRemote(namespace, ttl)) {
      return memoizeRemotely(remote, remoteSpec, thisArg, args, key, params ?? { args });
    }
    counters.misses++;
    return record(thisArg, args, key, params ?? { args });
  };

  /*
   * Replay and memoize wrappers declare three parameters and read `arguments.length`: a call with at most three
   * arguments and the default params encoder computes its key from the parameters, so a hit allocates no rest array
   * (TurboFan elides `arguments` used only for its length, and forwards it without copying in `apply`). Calls with
   * more arguments, and wrappers with a paramsEncoder, take the general path, with the same keys and semantics.
   */
  const argumentList = (count: number, first: unknown, second: unknown, third: unknown): unknown[] =>
    count === 0 ? [] : count === 1 ? [first] : count === 2 ? [first, second] : [first, second, third];
  let primitiveKeys: PrimitiveKeyCache | undefined;
  const keyOfFew = (count: number, first: unknown, second: unknown, third: unknown): unknown => {
    if (count === 1) return memoryKeyForArgument(first);
    if (count === 0) return canonicalizeArgList(0, undefined, undefined, undefined);
    primitiveKeys ??= new PrimitiveKeyCache();
    return primitiveKeys.keyOf(count as 2 | 3, first, second, third);
  };
  /** A hit answered from the entry alone: counted, and an async function's result handed out as a promise. */
  const plainResult = (entry: MemoryEntry): unknown => {
    counters.hits.memory++;
    if (!entry.isPromise) return entry.result;
    entry.promise ??= Promise.resolve(entry.result);
    return entry.promise;
  };
  let wrapper: AnyFunction;
  if (kind === 'record') {
    wrapper = function recorded(this: unknown, ...args: unknown[]) {
      if (keyOf) {
        const { key, params } = keyOf(args);
        return record(this, args, key, params);
      }
      return record(this, args, memoryKeyForArgs(args), { args });
    };
  } else if (kind === 'replay') {
    const replayAny = function replayed(this: unknown, ...args: unknown[]) {
      const { key, params } = keyOfArgs(args);
      return replayCall(args, key, params);
    };
    wrapper = keyOf
      ? replayAny
      : function replayed(this: unknown, first?: unknown, second?: unknown, third?: unknown) {
          // biome-ignore lint/complexity/noArguments: reading the count keeps hits free of a rest array (see above).
          const count = arguments.length;
          if (typeof first === 'number' && count === 1 && plainHits) {
            // One non-zero int32 argument is its own memory key; probing with the value coerced by `| 0` lets V8
            // use its int32 Map lookup (about twice as fast as a generic key), and the hit is answered inline.
            const integer = first | 0;
            if (integer === first && integer !== 0) {
              const entry = entries.get(integer);
              if (entry !== undefined && entry.expiresAt === Number.POSITIVE_INFINITY) return plainResult(entry);
              return replayCall([first], first, undefined);
            }
          }
          // biome-ignore lint/complexity/noArguments: forwarded as is, without materializing a copy.
          if (count > 3) return replayAny.apply(this, arguments as unknown as unknown[]);
          const key = keyOfFew(count, first, second, third);
          const entry = plainHits ? entries.get(key) : undefined;
          if (entry !== undefined && entry.expiresAt === Number.POSITIVE_INFINITY) return plainResult(entry);
          return replayCall(argumentList(count, first, second, third), key, undefined);
        };
  } else {
    const memoizeAny = function memoized(this: unknown, ...args: unknown[]) {
      const { key, params } = keyOfArgs(args);
      return memoizeCall(this, args, key, params);
    };
    wrapper = keyOf
      ? memoizeAny
      : function memoized(this: unknown, first?: unknown, second?: unknown, third?: unknown) {
          // biome-ignore lint/complexity/noArguments: reading the count keeps hits free of a rest array (see above).
          const count = arguments.length;
          if (typeof first === 'number' && count === 1 && plainHits) {
            // One non-zero int32 argument is its own memory key; probing with the value coerced by `| 0` lets V8
            // use its int32 Map lookup (about twice as fast as a generic key), and the hit is answered inline.
            const integer = first | 0;
            if (integer === first && integer !== 0) {
              const entry = entries.get(integer);
              if (entry !== undefined && entry.expiresAt === Number.POSITIVE_INFINITY) return plainResult(entry);
              return memoizeCall(this, [first], first, undefined);
            }
          }
          // biome-ignore lint/complexity/noArguments: forwarded as is, without materializing a copy.
          if (count > 3) return memoizeAny.apply(this, arguments as unknown as unknown[]);
          const key = keyOfFew(count, first, second, third);
          const entry = plainHits ? entries.get(key) : undefined;
          if (entry !== undefined && entry.expiresAt === Number.POSITIVE_INFINITY) return plainResult(entry);
          return memoizeCall(this, argumentList(count, first, second, third), key, undefined);
        };
  }
  return copyFunctionIdentity(wrapper, fn);
}
