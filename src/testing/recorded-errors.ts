import { types } from 'node:util';
import type { AnyFunction } from '../options.js';
import { copyFunctionIdentity } from '../wrap.js';

/*
 * `recordErrors: true`: an Error thrown by the function (or a rejection with one) is recorded like a result and
 * thrown again on replay. The function is wrapped so that a thrown Error becomes a `Thrown` result, which the
 * wrappers store as `{ "memotape:thrown": <the error> }`; the fixture wrapper turns a `Thrown` back into a throw (or
 * a rejection). A thrown value that is not an Error is thrown on as it is and not recorded.
 *
 * A real result that happens to be an object whose only key is one of the two reserved keys is stored inside
 * `{ "memotape:value": ... }`, so it is never mistaken for a recorded error.
 */

const THROWN_KEY = 'memotape:thrown';
const VALUE_KEY = 'memotape:value';

/** An error the function threw, carried through the wrappers as a result. */
export class Thrown {
  readonly error: unknown;

  constructor(error: unknown) {
    this.error = error;
  }
}

function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');
}

const capturing = new WeakMap<AnyFunction, AnyFunction>();

/**
 * `fn` with thrown Errors (and rejections with one) turned into {@link Thrown} results. One wrapper per function, so
 * a function wrapped twice keeps one identity (and one namespace).
 */
export function captureErrors(fn: AnyFunction): AnyFunction {
  let wrapper = capturing.get(fn);
  if (wrapper !== undefined) return wrapper;
  wrapper = copyFunctionIdentity(function captured(this: unknown, ...args: unknown[]) {
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      if (isError(error)) return new Thrown(error);
      throw error;
    }
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        if (isError(error)) return new Thrown(error);
        throw error;
      });
    }
    return result;
  }, fn);
  capturing.set(fn, wrapper);
  return wrapper;
}

/**
 * What is recorded of a thrown error: its name, message, `code` and own enumerable primitive properties (no stack,
 * no cause, no nested objects). Replaying it throws an Error of the same name (the built-in class for `TypeError`
 * and its kin).
 */
export function errorRecord(error: unknown): Error {
  const source = error as Error & { code?: unknown };
  const copy = new Error(String(source.message));
  Object.defineProperty(copy, 'name', { value: String(source.name), writable: true, configurable: true });
  const code = source.code;
  if (code !== undefined && isPrimitive(code))
    Object.defineProperty(copy, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  for (const key of Object.keys(source)) {
    if (key === 'stack' || key === 'code' || key === 'name' || key === 'message') continue;
    const descriptor = Object.getOwnPropertyDescriptor(source, key);
    if (descriptor === undefined || !('value' in descriptor) || !isPrimitive(descriptor.value)) continue;
    Object.defineProperty(copy, key, { value: descriptor.value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function reservedShape(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === THROWN_KEY || keys[0] === VALUE_KEY) ? keys[0] : undefined;
}

/** The stored form of a recorded error (already made with {@link errorRecord} and redacted). */
export function storedThrown(record: unknown): object {
  return { [THROWN_KEY]: record };
}

/** The stored form of a real result: itself, unless it looks like a stored error. */
export function storedValue(value: unknown): unknown {
  return reservedShape(value) === undefined ? value : { [VALUE_KEY]: value };
}

/** Reads a stored form back: a {@link Thrown} for a recorded error, else the stored result. */
export function fromStored(stored: unknown): unknown {
  const shape = reservedShape(stored);
  if (shape === undefined) return stored;
  const inner = (stored as Record<string, unknown>)[shape];
  return shape === THROWN_KEY ? new Thrown(inner) : inner;
}

/** Throws a {@link Thrown} result (or rejects with it, for a promise); any other result is returned as it is. */
export function unwrapThrown(result: unknown): unknown {
  if (result instanceof Thrown) throw result.error;
  if (result instanceof Promise) {
    return result.then((value: unknown) => {
      if (value instanceof Thrown) throw value.error;
      return value;
    });
  }
  return result;
}
