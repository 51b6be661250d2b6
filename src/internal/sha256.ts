import * as crypto from 'node:crypto';

type HashFunction = (algorithm: string, data: string | Uint8Array, outputEncoding: 'hex') => string;
const oneShotHash = (crypto as { hash?: HashFunction }).hash;

/**
 * The SHA-256 of `data` (a string is hashed as UTF-8) in lowercase hex. `crypto.hash` (Node >= 20.12) is 2-3x
 * faster than a Hash object for short inputs, and its 'hex' output ~3x faster than a Buffer turned into hex; the
 * fallback keeps older 20.x working.
 *
 * @example
 * ```ts
 * sha256Hex('abc').slice(0, 32); // 'ba7816bf8f01cfea414140de5dae2223'
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}
