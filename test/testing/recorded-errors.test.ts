import { describe, expect, it } from 'vitest';
import { fixtures } from '../../src/testing/fixtures.js';
import {
  captureErrors,
  errorRecord,
  fromStored,
  storedThrown,
  storedValue,
  Thrown,
  unwrapThrown,
} from '../../src/testing/recorded-errors.js';
import { counted, fixturePath, isolateTapes, shouldNotRun } from './helpers.js';

isolateTapes();

describe('the parts', () => {
  it('captureErrors turns thrown Errors and rejections into Thrown results, once per function', async () => {
    const failing = (value: number) => {
      if (value < 0) throw new RangeError('negative');
      if (value === 0) throw 'zero';
      return value;
    };
    const captured = captureErrors(failing);
    expect(captureErrors(failing)).toBe(captured);
    expect(captured.name).toBe('failing');
    expect(captured(1)).toBe(1);
    expect(captured(-1)).toBeInstanceOf(Thrown);
    expect(() => captured(0)).toThrow('zero');
    const rejected = await captureErrors(async () => {
      throw new Error('later');
    })();
    expect(rejected).toBeInstanceOf(Thrown);
  });

  it('errorRecord keeps name, message, code and own primitive properties only', () => {
    const error = Object.assign(new Error('boom'), { status: 500, details: { a: 1 } });
    Object.defineProperty(error, 'code', { value: 'E_BOOM', enumerable: false });
    error.name = 'ServerError';
    const record = errorRecord(error);
    expect(record).toMatchObject({ name: 'ServerError', message: 'boom', code: 'E_BOOM', status: 500 });
    expect(Object.keys(record).sort()).toEqual(['code', 'status']);
  });

  it('stores errors and values so that each reads back as itself', () => {
    const record = errorRecord(new TypeError('x'));
    expect(fromStored(storedThrown(record))).toEqual(new Thrown(record));
    for (const value of [1, { a: 1 }, { 'memotape:thrown': 1 }, { 'memotape:value': 2 }, null]) {
      expect(fromStored(storedValue(value))).toEqual(value);
    }
  });

  it('unwrapThrown throws, rejects, or hands the result on', async () => {
    expect(() => unwrapThrown(new Thrown(new Error('sync')))).toThrow('sync');
    await expect(unwrapThrown(Promise.resolve(new Thrown(new Error('async'))))).rejects.toThrow('async');
    expect(unwrapThrown(5)).toBe(5);
  });
});

describe('a tape with recordErrors', () => {
  class HttpError extends Error {
    override name = 'HttpError';
    readonly status: number;
    readonly response = { body: 'not kept' };
    constructor(status: number) {
      super(`request failed with ${status}`);
      this.status = status;
    }
  }

  it('records a thrown error (name, message, code, primitive properties) and throws it again on replay', () => {
    const file = fixturePath();
    const tape = fixtures(file, { recordErrors: true });
    const failing = counted((id: number) => {
      if (id === 0) throw Object.assign(new TypeError('id must be positive'), { code: 'E_ID' });
      throw new HttpError(404);
    });
    const wrapped = tape.memoize({ name: 'api.get' })(failing);
    expect(() => wrapped(0)).toThrow(TypeError);
    expect(() => wrapped(1)).toThrow(HttpError);
    tape.save();

    const replayed = fixtures(file, { mode: 'replay', recordErrors: true }).memoize({ name: 'api.get' })(shouldNotRun);
    let typeError: unknown;
    let httpError: unknown;
    try {
      replayed(0);
    } catch (error) {
      typeError = error;
    }
    try {
      replayed(1);
    } catch (error) {
      httpError = error;
    }
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError).toMatchObject({ message: 'id must be positive', code: 'E_ID' });
    expect(httpError).toBeInstanceOf(Error);
    expect(httpError).toMatchObject({ name: 'HttpError', message: 'request failed with 404', status: 404 });
    expect((httpError as { response?: unknown }).response).toBeUndefined();
    expect(failing.calls).toBe(2);
  });

  it('records a rejection, and replays it as a rejection', async () => {
    const file = fixturePath();
    const tape = fixtures(file, { recordErrors: true });
    const wrapped = tape.memoize({ name: 'api.load' })(async () => {
      throw new RangeError('too far');
    });
    await expect(wrapped()).rejects.toThrow('too far');
    tape.save();
    const replayed = fixtures(file, { mode: 'replay', recordErrors: true }).memoize({ name: 'api.load' })(shouldNotRun);
    const pending = replayed();
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow(RangeError);
  });

  it('records nothing for a thrown error by default, nor for thrown values that are not errors', () => {
    const file = fixturePath();
    const byDefault = fixtures(file);
    expect(() =>
      byDefault.memoize({ name: 'fails' })(() => {
        throw new Error('no');
      })(),
    ).toThrow('no');
    expect(byDefault.save().status).toBe('unchanged');
    const withErrors = fixtures(file, { recordErrors: true });
    expect(() =>
      withErrors.memoize({ name: 'fails' })(() => {
        throw 'a string';
      })(),
    ).toThrow('a string');
    expect(withErrors.save().status).toBe('unchanged');
  });

  it('never mistakes a real result for a recorded error', () => {
    const file = fixturePath();
    const lookalike = { 'memotape:thrown': { message: 'just data' } };
    const tape = fixtures(file, { recordErrors: true });
    expect(tape.memoize({ name: 'odd' })(() => lookalike)()).toBe(lookalike);
    tape.save();
    const replayed = fixtures(file, { mode: 'replay', recordErrors: true }).memoize({ name: 'odd' })(shouldNotRun);
    expect(replayed()).toEqual(lookalike);
  });
});
