import { expect } from 'vitest';
import { decodeTagged, encodeTagged } from '../../src/codec.js';
import { ResultEncodingError } from '../../src/errors.js';

/** Encodes, goes through JSON text as the dump file, disk tier and Redis do, and decodes. */
export function roundTrip(value: unknown): unknown {
  return decodeTagged(JSON.parse(JSON.stringify(encodeTagged(value))));
}

/** Runs `run` and returns the ResultEncodingError it threw; fails the test on anything else. */
export function encodingErrorOf(run: () => unknown): ResultEncodingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ResultEncodingError);
    return error as ResultEncodingError;
  }
  throw new Error('expected a ResultEncodingError, but nothing was thrown');
}

/** The bytes a view covers, as plain numbers for comparison. */
export function bytesOf(view: ArrayBufferView): number[] {
  return [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)];
}
