import { types } from 'node:util';
import { DeferredRecording } from './deferred-recording.js';
import { CacheMissError } from './errors.js';
import { currentTick } from './freshness/freshness-clock.js';
import { wasInvalidated } from './freshness/invalidation.js';
import { attachFreshnessMethods } from './freshness/memoized.js';
import { isStale, refreshInBackground } from './freshness/stale-while-revalidate.js';
import { type FreshnessPolicy, type Lifetime, resolveLifetime, staticLifetime } from './freshness/ttl-policy.js';
import { isThenable } from './internal/thenable.js';
import {
  canonicalFromMemoryKey,
  canonicalize,
  canonicalizeArgList,
  memoryKeyForArgs,
  memoryKeyForArgument,
  persistedKey,
} from './key.js';
import { ObjectKeyCache } from './key-object-cache.js';
import { ArgsParams, type MemoryEntry, type MemoryTier, type Namespace } from './memory-tier.js';
import type { AnyFunction, ResultDecoderFactory, ResultEncoderFactory } from './options.js';
import { PrimitiveKeyCache } from './primitive-key-cache.js';
import { memoizeRemotely, type RemoteHost, refreshRemotely, replayRemotely, usesRemote } from './remote-call.js';

/** What a wrapper needs from its memoizer; implemented by `Memoizer`. */
export interface WrapperHost {
  readonly memory: MemoryTier;
  /** The remote tier's view of the memoizer, when it has a `remote` option. */
  readonly remote: RemoteHost | undefined;
  /** Whether any persisted tier (preload, disk, remote) can answer a memory miss. */
  hasPersistedTiers(): boolean;
  /** Looks a memory miss up in the persisted tiers, filling memory from a hit. */
  lookupPersisted(namespace: Namespace, key: unknown, params: unknown): MemoryEntry | undefined;
  /**
   * Stores a recorded call in memory and the persisted tiers, unless something made it stale since the computation
   * started at tick `startedAt` (an invalidated tag, a fresh-cache scope change).
   */
  store(
    namespace: Namespace,
    key: unknown,
    params: unknown,
    encoded: unknown,
    isPromise: boolean,
    lifetime: Lifetime,
    startedAt: number,
  ): void;
  /** Drops the entry of one call from every tier (and forgets it in flight). */
  invalidate(namespace: Namespace, key: unknown): Promise<void>;
  /** The entry of one call in a synchronous persisted tier, decoded but not put in memory or counted. */
  peekPersisted(namespace: Namespace, key: unknown): MemoryEntry | undefined;
  /** Reports a `ttl` or `tags` function that threw or answered something invalid (the result is not stored). */
  policyFailed(namespace: Namespace, option: string, error: unknown): void;
  /** Whether any tag of this memoizer was invalidated after tick `startedAt`. */
  tagsInvalidatedSince(startedAt: number): boolean;
}

export type WrapperKind = 'record' | 'replay' | 'memoize';

export interface WrapperSpec {
  readonly kind: WrapperKind;
  readonly fn: AnyFunction;
  readonly namespace: Namespace;
  readonly paramsEncoder: ((...args: unknown[]) => unknown) | undefined;
  readonly resultEncoder: ResultEncoderFactory | undefined;
  readonly resultDecoder: ResultDecoderFactory | undefined;
  readonly policy: FreshnessPolicy;
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

// Recordings a later recording of the same call replaced while they were pending: the later one's result is the one
// to keep, whichever settles first.
const superseded = new WeakSet<DeferredRecording>();

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

/** One computation, as storing its result needs it. */
interface Computation {
  readonly args: unknown[];
  /** The unencoded result (for a promise, its settled value, once there), for the `ttl` and `tags` functions. */
  raw: unknown;
  /** The freshness tick when it started (see src/freshness/freshness-clock.ts). */
  readonly startedAt: number;
}

/** Builds the call path of a `record`, `replay` or `memoize` wrapper. */
export function createWrapper(host: WrapperHost, spec: WrapperSpec): AnyFunction {
  const { kind, fn, namespace, paramsEncoder, policy } = spec;
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

  // A fixed TTL without tags is decided once; `ttl` and `tags` functions are asked per result.
  const fixedLifetime = staticLifetime(policy);
  const lifetimeOf = (raw: unknown, args: unknown[]): Lifetime | undefined =>
    fixedLifetime !== null
      ? fixedLifetime
      : resolveLifetime(policy, raw, args, (option, error) => host.policyFailed(namespace, option, error));
  const storeResult = (
    key: unknown,
    params: unknown,
    encoded: unknown,
    isPromise: boolean,
    call: Computation,
  ): void => {
    const lifetime = lifetimeOf(call.raw, call.args);
    if (lifetime !== undefined) host.store(namespace, key, params, encoded, isPromise, lifetime, call.startedAt);
  };
  // With tags, a call in flight when any tag is invalidated is no longer shared: its result may carry that tag.
  const startedAtOf = policy.tags === undefined ? undefined : new WeakMap<DeferredRecording, number>();

  const track = (
    key: unknown,
    params: unknown,
    recording: DeferredRecording,
    isPromise: boolean,
    call: Computation | undefined,
  ): void => {
    const previous = namespace.pending.get(key)?.deref();
    if (previous !== undefined && previous.state === 'pending') superseded.add(previous);
    const ref = new WeakRef(recording);
    namespace.pending.set(key, ref);
    if (startedAtOf !== undefined && call !== undefined) startedAtOf.set(recording, call.startedAt);
    pendingCleanup.register(recording, { namespace, key, ref }, ref);
    /** Whether this recording may store its result: not when a newer one of the same call (a later `record`) began. */
    const release = (): boolean => {
      pendingCleanup.unregister(ref);
      const current = namespace.pending.get(key);
      if (current === ref) namespace.pending.delete(key);
      else if (current !== undefined) return false;
      return !superseded.has(recording);
    };
    recording.registerCallback(
      (encoded) => {
        if (release() && call !== undefined && !wasInvalidated(recording)) {
          storeResult(key, params, encoded, isPromise, call);
        }
      },
      () => {
        release();
      },
    );
  };

  /** Adds a successful computation's time to the function's miss statistics. */
  const timeMiss = (started: number): void => {
    namespace.calls.missTime += performance.now() - started;
    namespace.calls.timedMisses++;
  };

  const recordPromise = (
    key: unknown,
    params: unknown,
    args: unknown[],
    pending: PromiseLike<unknown>,
    startedAt: number,
    timedFrom: number | undefined,
  ) => {
    let derived: Promise<unknown> | undefined;
    const call: Computation = { args, raw: undefined, startedAt };
    const recording = new DeferredRecording<unknown, unknown>({ makeInterimResult: () => derived });
    derived = Promise.resolve(pending).then(
      (value) => {
        call.raw = value;
        if (timedFrom !== undefined) timeMiss(timedFrom);
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
    track(key, params, recording, true, call);
    return derived;
  };

  /** Runs the function and records its result; `timed` (a `memoize` miss) adds its time to the statistics. */
  const record = (thisArg: unknown, args: unknown[], key: unknown, params: unknown, timed = false): unknown => {
    const startedAt = currentTick();
    const timedFrom = timed ? performance.now() : undefined;
    const result = fn.apply(thisArg, args);
    if (isThenable(result)) {
      namespace.returnsPromise = true;
      return recordPromise(key, params, args, result, startedAt, timedFrom);
    }
    if (timedFrom !== undefined) timeMiss(timedFrom);
    const call: Computation = { args, raw: result, startedAt };
    if (encoderFor === undefined) {
      storeResult(key, params, result, false, call);
      return result;
    }
    const encoded = encoderFor(...args)(result as never);
    if (encoded instanceof DeferredRecording) track(key, params, encoded, false, call);
    else storeResult(key, params, encoded, false, call);
    return result;
  };

  const { memory } = host;
  const { counters } = memory;
  const { entries, calls } = namespace;
  // Without an LRU bound and a decoder, a hit on an entry that never expires is answered without calling into the
  // memory tier: nothing to expire, nothing to move, nothing to decode. Every other hit goes through find().
  const plainHits = memory.maxEntries === Number.POSITIVE_INFINITY && decoderFor === undefined;
  const find = (key: unknown, params: unknown, args: unknown[]): MemoryEntry | undefined => {
    const entry = memory.get(namespace, key);
    if (entry !== undefined) {
      calls.memoryHits++;
      return entry;
    }
    return host.hasPersistedTiers() ? host.lookupPersisted(namespace, key, params ?? new ArgsParams(args)) : undefined;
  };

  const interim = (key: unknown): { value: unknown } | undefined => {
    const recording = namespace.pending.get(key)?.deref();
    if (recording?.state !== 'pending') return undefined;
    const startedAt = startedAtOf?.get(recording);
    if (startedAt !== undefined && host.tagsInvalidatedSince(startedAt)) return undefined;
    return recording.getInterimResult();
  };

  const { remote } = host;
  const remoteSpec = { fn, namespace, encoderFor, decoderFor, policy, track, lifetimeOf, timeMiss };
  const goesRemote = (): boolean => remote !== undefined && usesRemote(namespace, policy.ttl) && remote.active();

  const keyOfArgs = (args: unknown[]): { key: unknown; params: unknown } =>
    keyOf ? keyOf(args) : { key: memoryKeyForArgs(args), params: undefined };

  const replayCall = (args: unknown[], key: unknown, params: unknown): unknown => {
    const entry = find(key, params, args);
    if (entry !== undefined) return decode(entry, args);
    const pending = interim(key);
    if (pending !== undefined) return pending.value;
    const miss = () => {
      counters.misses++;
      calls.misses++;
      return new CacheMissError(namespace.displayName, describeKey(namespace, key));
    };
    if (goesRemote()) return replayRemotely(remote!, remoteSpec, args, key, params ?? new ArgsParams(args), miss);
    throw miss();
  };

  /** A stale hit (`staleWhileRevalidate`): one background refresh per key, here or, with a remote tier, anywhere. */
  const refresh = (thisArg: unknown, args: unknown[], key: unknown, params: unknown, entry: MemoryEntry): void => {
    refreshInBackground(namespace, key, entry, counters, () =>
      goesRemote()
        ? refreshRemotely(remote!, remoteSpec, thisArg, args, key, params ?? new ArgsParams(args))
        : record(thisArg, args, key, params ?? new ArgsParams(args)),
    );
  };

  const memoizeCall = (thisArg: unknown, args: unknown[], key: unknown, params: unknown): unknown => {
    const entry = find(key, params, args);
    if (entry !== undefined) {
      if (isStale(entry, memory.now)) refresh(thisArg, args, key, params, entry);
      return decode(entry, args);
    }
    const pending = interim(key);
    if (pending !== undefined) return pending.value;
    if (goesRemote()) return memoizeRemotely(remote!, remoteSpec, thisArg, args, key, params ?? new ArgsParams(args));
    counters.misses++;
    calls.misses++;
    return record(thisArg, args, key, params ?? new ArgsParams(args), true);
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
  let objectKeys: ObjectKeyCache | undefined;
  const keyOfFew = (count: number, first: unknown, second: unknown, third: unknown): unknown => {
    if (count === 1) {
      if (typeof first !== 'object' || first === null) return memoryKeyForArgument(first);
      objectKeys ??= new ObjectKeyCache();
      return objectKeys.keyOf(first);
    }
    if (count === 0) return canonicalizeArgList(0, undefined, undefined, undefined);
    primitiveKeys ??= new PrimitiveKeyCache();
    return primitiveKeys.keyOf(count as 2 | 3, first, second, third);
  };
  /** A hit answered from the entry alone: counted, and an async function's result handed out as a promise. */
  const plainResult = (entry: MemoryEntry): unknown => {
    calls.memoryHits++;
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
      return record(this, args, memoryKeyForArgs(args), new ArgsParams(args));
    };
  } else {
    const call =
      kind === 'replay'
        ? replayCall
        : (args: unknown[], key: unknown, params: unknown, thisArg?: unknown) =>
            memoizeCall(thisArg, args, key, params);
    const callAny = function wrapped(this: unknown, ...args: unknown[]) {
      const { key, params } = keyOfArgs(args);
      return call(args, key, params, this);
    };
    /** Every call of up to three arguments that the inline hit below does not answer. */
    const callFew = (thisArg: unknown, count: number, first: unknown, second: unknown, third: unknown): unknown => {
      const key = keyOfFew(count, first, second, third);
      const entry = plainHits ? entries.get(key) : undefined;
      if (entry !== undefined && entry.lifetime === undefined) return plainResult(entry);
      return call(argumentList(count, first, second, third), key, undefined, thisArg);
    };
    // The function callers hold is kept small, so that V8 can inline it into a hot caller: it answers a hit on one
    // non-zero int32 argument (its own memory key) inline, and hands everything else to `callFew` or `callAny`.
    // Probing with the value coerced by `| 0` lets V8 use its int32 Map lookup (about twice as fast as a generic key).
    const fast = function wrapped(this: unknown, first?: unknown, second?: unknown, third?: unknown) {
      // biome-ignore lint/complexity/noArguments: reading the count keeps hits free of a rest array (see above).
      const count = arguments.length;
      if (typeof first === 'number' && count === 1 && plainHits) {
        const integer = first | 0;
        if (integer === first && integer !== 0) {
          const entry = entries.get(integer);
          if (entry !== undefined && entry.lifetime === undefined) return plainResult(entry);
        }
      }
      // biome-ignore lint/complexity/noArguments: forwarded as is, without materializing a copy.
      if (count > 3) return callAny.apply(this, arguments as unknown as unknown[]);
      return callFew(this, count, first, second, third);
    };
    wrapper = keyOf ? callAny : fast;
  }
  return attachFreshnessMethods(copyFunctionIdentity(wrapper, fn), {
    invalidate: (...args: unknown[]) => host.invalidate(namespace, keyOfArgs(args).key),
    peek: (...args: unknown[]) => {
      const { key } = keyOfArgs(args);
      let entry = memory.peek(namespace, key);
      if (entry !== undefined && entry.expiresAt <= memory.now()) entry = undefined;
      entry ??= host.peekPersisted(namespace, key);
      return entry === undefined ? undefined : decode(entry, args);
    },
  });
}
