import { DeferredRecording } from '../deferred-recording.js';
import { CacheMissError } from '../errors.js';
import { attachFreshnessMethods, freshnessMethodsOf } from '../freshness/memoized.js';
import { canonicalize, persistedKey } from '../key.js';
import type { AnyFunction, WrapOptions } from '../options.js';
import { copyFunctionIdentity, type WrapperKind } from '../wrap.js';
import type { FixtureMode } from './fixture-mode.js';
import {
  captureErrors,
  errorRecord,
  fromStored,
  storedThrown,
  storedValue,
  Thrown,
  unwrapThrown,
} from './recorded-errors.js';
import type { Redactor } from './redact.js';

/*
 * How a fixture tape wraps a function, on top of the Memoizer's wrappers:
 *
 * - the mode picks the wrapper kind (replay: never call; new: replay or record; all: always record);
 * - a composed paramsEncoder redacts the params BEFORE the key is computed, so a run with a real token and a run
 *   without it find the same entries;
 * - a composed resultEncoder redacts what is stored (after the user's encoder) while the caller of a recording call
 *   still gets the real result, and tells the tape which keys were recorded;
 * - with `recordErrors`, thrown Errors travel as results and are thrown again by the outer wrapper;
 * - the outer wrapper turns a replay miss into the tape's detailed CacheMissError, remembered for `save()`.
 */

/** What the wrapping needs from its tape. */
export interface FixtureWrapHost {
  readonly mode: FixtureMode;
  readonly redactor: Redactor;
  readonly recordErrors: boolean;
  /** Notes that the call with this 32-hex key was recorded by this run. */
  markRecorded(key: string): void;
  /** Whether the file recorded calls of `namespace` that returned a promise. */
  recordedAsPromise(namespace: string): boolean;
  /** Builds (and remembers) the detailed miss error of a replayed call. */
  reportMiss(miss: CacheMissError, namespace: string, params: () => unknown): CacheMissError;
}

/** The wrapper kind a mode gives: explicit modes decide for every wrapper, `auto` keeps the kind asked for. */
export function effectiveKind(mode: FixtureMode, kind: WrapperKind): WrapperKind {
  switch (mode) {
    case 'replay':
      return 'replay';
    case 'new':
      return 'memoize';
    case 'all':
      return 'record';
    default:
      return kind;
  }
}

function isAsyncFunction(fn: Function): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]';
}

/** What {@link composeFixtureWrap} gives: the function and options for the Memoizer, and the outer wrapper. */
export interface ComposedFixtureWrap {
  readonly kind: WrapperKind;
  readonly target: AnyFunction;
  readonly options: WrapOptions;
  /** Wraps the Memoizer's wrapper: misses and recorded errors. */
  finish(inner: AnyFunction): AnyFunction;
}

/**
 * Composes a fixture wrapper of `fn` of kind `kind`, whose persisted namespace is `namespace` (the `name` option,
 * the decorator's namespace, else the function's name; `undefined` when it has none, which the Memoizer refuses).
 */
export function composeFixtureWrap(
  host: FixtureWrapHost,
  kind: WrapperKind,
  fn: AnyFunction,
  options: WrapOptions,
  namespace: string | undefined,
): ComposedFixtureWrap {
  const { redactor, recordErrors } = host;
  const effective = effectiveKind(host.mode, kind);
  const userParams = options.paramsEncoder;
  const paramsEncoder = userParams
    ? (...args: unknown[]) => redactor.params(userParams(...args), false)
    : (...args: unknown[]) => redactor.params({ args }, true);

  const markRecorded = (args: unknown[]): void => {
    if (namespace === undefined) return;
    try {
      host.markRecorded(persistedKey(namespace, canonicalize(paramsEncoder(...args), 'params')));
    } catch {
      // The wrapper already keyed these params; a params encoder that fails the second time records nothing new.
    }
  };

  const userEncoder = options.resultEncoder?.(fn);
  const toStored = (args: unknown[], encoded: unknown): unknown => {
    markRecorded(args);
    const redacted = redactor.result(encoded);
    return recordErrors ? storedValue(redacted) : redacted;
  };
  const resultEncoder =
    () =>
    (...args: unknown[]) =>
    (result: unknown) => {
      if (result instanceof Thrown) {
        markRecorded(args);
        return storedThrown(redactor.thrown(errorRecord(result.error)));
      }
      const encoded = userEncoder === undefined ? result : userEncoder(...args)(result as never);
      if (!(encoded instanceof DeferredRecording)) return toStored(args, encoded);
      // The user's encoder finalizes later: store the redacted form of what it finalizes with.
      const redacted = new DeferredRecording({ makeInterimResult: encoded.makeInterimResult });
      encoded.registerCallback(
        (final) => {
          if (redacted.state === 'pending') redacted.finalize(toStored(args, final));
        },
        (reason) => redacted.abandon(reason),
      );
      return redacted;
    };

  const userDecoder = options.resultDecoder?.(fn);
  const needsDecoder = recordErrors || userDecoder !== undefined;
  const resultDecoder =
    () =>
    (...args: unknown[]) =>
    (stored: unknown) => {
      const value = recordErrors ? fromStored(stored) : stored;
      if (value instanceof Thrown || userDecoder === undefined) return value;
      return userDecoder(...args)(value as never);
    };

  const composedOptions: WrapOptions = {
    ...options,
    paramsEncoder,
    resultEncoder,
    ...(needsDecoder ? { resultDecoder } : { resultDecoder: undefined }),
  };
  const asPromise = isAsyncFunction(fn) || (namespace !== undefined && host.recordedAsPromise(namespace));

  const finish = (inner: AnyFunction): AnyFunction => {
    if (effective !== 'replay' && !recordErrors) return inner;
    const fixtureWrapper = function fixtureCall(this: unknown, ...args: unknown[]) {
      let result: unknown;
      try {
        result = inner.apply(this, args);
      } catch (error) {
        if (!(error instanceof CacheMissError) || effective !== 'replay') throw error;
        const detailed = host.reportMiss(error, namespace ?? error.functionName, () => paramsEncoder(...args));
        // An async function's callers expect a rejection (`await expect(call()).rejects...`), not a throw.
        if (asPromise) return Promise.reject(detailed);
        throw detailed;
      }
      return recordErrors ? unwrapThrown(result) : result;
    };
    copyFunctionIdentity(fixtureWrapper, fn);
    // The outer wrapper stands in for the memoizer's: it keeps the same `invalidate` and `peek`.
    const methods = freshnessMethodsOf(inner);
    if (methods?.invalidate !== undefined && methods.peek !== undefined) {
      attachFreshnessMethods(fixtureWrapper, { invalidate: methods.invalidate, peek: methods.peek });
    }
    return fixtureWrapper;
  };

  return { kind: effective, target: recordErrors ? captureErrors(fn) : fn, options: composedOptions, finish };
}
