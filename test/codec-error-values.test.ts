import { describe, expect, it } from 'vitest';
import { canEncodeTagged, encodeTagged } from '../src/codec.js';
import { ResultEncodingError } from '../src/errors.js';
import { roundTrip } from './helpers/codec-round-trip.js';

describe('error values', () => {
  it('decode to the built-in constructor of the same name', () => {
    for (const ErrorType of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
      const decoded = roundTrip(new ErrorType('message'));
      expect(decoded).toBeInstanceOf(ErrorType);
      expect(decoded).toStrictEqual(new ErrorType('message'));
    }
  });

  it('keeps the class of an error whose own `name` was reassigned, and that name', () => {
    const decoded = roundTrip(Object.assign(new SyntaxError(''), { name: 0 })) as SyntaxError;
    expect(decoded).toBeInstanceOf(SyntaxError);
    expect(decoded.name).toBe(0);
    const renamed = roundTrip(Object.assign(new TypeError('x'), { name: 'Custom' })) as TypeError;
    expect(renamed).toBeInstanceOf(TypeError);
    expect(renamed.name).toBe('Custom');
  });

  it('stores a message that is not a string as its string', () => {
    const decoded = roundTrip(Object.assign(new RangeError('original'), { message: 42 })) as RangeError;
    expect(decoded).toBeInstanceOf(RangeError);
    expect(decoded.message).toBe('42');
  });

  it('decode an error with a custom name to an Error with that name', () => {
    class HttpError extends Error {
      constructor(readonly status: number) {
        super(`HTTP ${status}`);
      }
    }
    HttpError.prototype.name = 'HttpError';
    const decoded = roundTrip(new HttpError(503)) as Error & { status: number };
    expect(decoded).toBeInstanceOf(Error);
    expect(decoded.name).toBe('HttpError');
    expect(decoded.message).toBe('HTTP 503');
    expect(decoded.status).toBe(503);
    expect(String(decoded)).toBe('HttpError: HTTP 503');
    expect(decoded.stack).toBe('HttpError: HTTP 503');
  });

  it('keep own enumerable primitive props and drop the stack and object-valued props', () => {
    const error = Object.assign(new Error('failed'), {
      code: 'ECONNRESET',
      errno: -104,
      retryable: false,
      missing: undefined,
      big: 1n,
      response: { body: () => 'x' },
      callback: () => {},
    });
    const encoded = encodeTagged(error);
    expect(JSON.stringify(encoded)).not.toContain('at ');
    const decoded = roundTrip(error) as Record<string, unknown>;
    expect({ ...decoded }).toStrictEqual({
      code: 'ECONNRESET',
      errno: -104,
      retryable: false,
      missing: undefined,
      big: 1n,
    });
    expect(decoded.stack).toBe('Error: failed');
  });

  it('keep an encodable cause and drop one that cannot be encoded', () => {
    const inner = new TypeError('inner');
    expect((roundTrip(new Error('outer', { cause: inner })) as Error).cause).toStrictEqual(inner);
    const dropped = roundTrip(new Error('outer', { cause: { handler() {} } })) as Error;
    expect(Object.hasOwn(dropped, 'cause')).toBe(false);
    const selfCaused = new Error('loop');
    selfCaused.cause = selfCaused;
    expect(canEncodeTagged(selfCaused)).toBe(true);
  });

  it('record a MemotapeError with its code and path', () => {
    const error = new ResultEncodingError('result.x', 'a function');
    const decoded = roundTrip(error) as ResultEncodingError;
    expect(decoded.name).toBe('ResultEncodingError');
    expect(decoded.code).toBe('ERR_MEMOTAPE_RESULT_ENCODING');
    expect(decoded.path).toBe('result.x');
    expect(decoded.message).toBe(error.message);
  });
});
