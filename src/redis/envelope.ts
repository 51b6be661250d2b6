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

/**
 * An entry as the Redis tier holds it: a StoredEntry and, for a tagged entry, the version of each tag when it was
 * stored (`tagVersions[i]` is the version of `tags[i]`; see tag-versions.ts). Readers without tag support ignore it.
 */
export interface RemoteEntry extends StoredEntry {
  readonly tagVersions?: readonly string[] | undefined;
}

function header(hexKey: string): string {
  return `${HEADER_PREFIX}${hexKey}\n`;
}

/** Serializes `entry` for the value key of `hexKey`. Throws what JSON.stringify throws (it cannot, for Json). */
export function encodeEnvelope(hexKey: string, entry: RemoteEntry): string {
  return header(hexKey) + JSON.stringify(entry);
}

/**
 * Reads an envelope back: the StoredEntry when `text` is a current envelope of `hexKey` holding a well-formed entry
 * that has not expired at `now`, else `undefined`. Never throws.
 */
export function decodeEnvelope(hexKey: string, text: unknown, now: number): RemoteEntry | undefined {
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

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item: unknown) => typeof item === 'string');
}

function isStoredEntry(value: unknown): value is RemoteEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as { [key: string]: unknown };
  return (
    typeof entry.namespace === 'string' &&
    Object.hasOwn(entry, 'params') &&
    Object.hasOwn(entry, 'result') &&
    typeof entry.promise === 'boolean' &&
    typeof entry.createdAt === 'number' &&
    (entry.expiresAt === undefined || typeof entry.expiresAt === 'number') &&
    (entry.staleAt === undefined || typeof entry.staleAt === 'number') &&
    (entry.tags === undefined || isStringArray(entry.tags)) &&
    // Tag versions pair with the tags, one each: anything else cannot be checked, so the entry reads as damaged.
    (entry.tagVersions === undefined ||
      (isStringArray(entry.tagVersions) && Array.isArray(entry.tags) && entry.tagVersions.length === entry.tags.length))
  );
}
