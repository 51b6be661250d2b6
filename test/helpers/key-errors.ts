import { expect } from 'vitest';
import { KeyEncodingError, MemotapeError } from '../../src/errors.js';
import { catchError } from './catch-error.js';

export function expectKeyEncodingError(run: () => unknown, path: string, reason?: RegExp): KeyEncodingError {
  const error = catchError(run);
  expect(error).toBeInstanceOf(KeyEncodingError);
  expect(error).toBeInstanceOf(MemotapeError);
  const keyError = error as KeyEncodingError;
  expect(keyError.name).toBe('KeyEncodingError');
  expect(keyError.code).toBe('ERR_MEMOTAPE_KEY_ENCODING');
  expect(keyError.path).toBe(path);
  expect(keyError.message).toContain(path);
  expect(keyError.message).toContain('paramsEncoder');
  if (reason) expect(keyError.message).toMatch(reason);
  return keyError;
}
