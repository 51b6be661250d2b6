import type { StoredEntry } from '../stores/store.js';

/*
 * What a value key holds: one header line naming the envelope version and the entry's own 32-hex key, then the
 * StoredEntry as JSON (its params and result are already tagged JSON, see src/codec.ts):
 *
 *   memotape/1 3f1c0a...e9\n{"namespace":"fetchUser","params":{...},"result":{...},"promise":true,"createdAt":...}
 *
 * The header is checked with one string comparison before anything is parsed. A value under the wrong key (a
 * renamed or copied key), an unknown version, damaged JSON or an entry of the wrong shape all read as a miss.
 */

/**
 * The version of the value envelope format; bump it when the format changes (older values then read as misses).
 *
 * @example
 * ```ts
 * import { ENVELOPE_VERSION } from 'memotape/redis'; // 1: values start with "memotape/1 <key>"
 * ```
 */
export const ENVELOPE_VERSION = 1;

const HEADER_PREFIX = `memotape/${ENVELOPE_VERSION} `;

function header(hexKey: string): string {
  return `${HEADER_PREFIX}${hexKey}\n`;
}

/** Serializes `entry` for the value key of `hexKey`. Throws what JSON.stringify throws (it cannot, for Json). */
export function encodeEnvelope(hexKey: string, entry: StoredEntry): string {
  return header(hexKey) + JSON.stringify(entry);
}

/**
 * Reads an envelope back: the StoredEntry when `text` is a current envelope of `hexKey` holding a well-formed entry
 * that has not expired at `now`, else `undefined`. Never throws.
 */
export function decodeEnvelope(hexKey: string, text: unknown, now: number): StoredEntry | undefined {
  if (typeof text !== 'string') return undefined;
  const expectedHeader = header(hexKey);
  if (!text.startsWith(expectedHeader)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(expectedHeader.length));
  } catch {
    return undefined;
  }
  if (!isStoredEntry(parsed)) return undefined;
  if (parsed.expiresAt !== undefined && parsed.expiresAt <= now) return undefined;
  return parsed;
}

function isStoredEntry(value: unknown): value is StoredEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as { [key: string]: unknown };
  return (
    typeof entry.namespace === 'string' &&
    Object.hasOwn(entry, 'params') &&
    Object.hasOwn(entry, 'result') &&
    typeof entry.promise === 'boolean' &&
    typeof entry.createdAt === 'number' &&
    (entry.expiresAt === undefined || typeof entry.expiresAt === 'number') &&
    (entry.tags === undefined ||
      (Array.isArray(entry.tags) && entry.tags.every((tag: unknown) => typeof tag === 'string')))
  );
}
