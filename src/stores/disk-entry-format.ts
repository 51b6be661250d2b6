import type { Json } from '../codec.js';
import { sha256Hex } from '../internal/sha256.js';
import type { StoredEntry } from './store.js';

/*
 * One entry file is a single JSON object with a fixed header, then the entry itself:
 *
 *   {"format":"memotape-disk-entry","version":1,"key":"<32 hex>","sha256":"<64 hex>","entry":<entry JSON>}\n
 *
 * The checksum covers the exact UTF-8 bytes of <entry JSON>. The header holds no user data, so a reader finds the
 * entry's bytes by position, checks them, and parses only them: `jq` can still read the file, and a check costs one
 * hash over bytes already in memory.
 */

/** The entry file format version. A reader treats any other version as a damaged entry. */
export const DISK_ENTRY_VERSION = 1;

const ENTRY_MARK = '"entry":';
const TRAILER = '}\n';
const HEADER_PATTERN =
  /^\{"format":"memotape-disk-entry","version":(\d+),"key":"([0-9a-f]{32})","sha256":"([0-9a-f]{64})",$/;
const ANY_VERSION_PATTERN = /^\{"format":"memotape-disk-entry","version":(\d+),/;
/** The header is about 160 bytes; the mark must appear well before this. */
const HEADER_LIMIT = 256;

/** Why an entry file was rejected. */
export type DamageReason =
  | 'empty'
  | 'garbage'
  | 'truncated'
  | 'bad checksum'
  | 'wrong version'
  | 'wrong key'
  | 'invalid entry'
  | 'not a file';

/**
 * The outcome of {@link decodeDiskEntry}: the entry and when its file was written (`lastUsedAt` as written, which
 * later reads do not rewrite), or why the file is damaged.
 */
export type DecodedDiskEntry =
  | { readonly ok: true; readonly entry: StoredEntry; readonly writtenAt: number | undefined }
  | { readonly ok: false; readonly reason: DamageReason };

/**
 * The bytes of the file that holds `entry` under `key`. `lastUsedAt` is the write time; later uses move the file's
 * modification time instead of rewriting it (see the disk store).
 */
export function encodeDiskEntry(key: string, entry: StoredEntry, lastUsedAt: number): Buffer {
  const body = JSON.stringify({
    namespace: entry.namespace,
    createdAt: entry.createdAt,
    lastUsedAt,
    ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }),
    ...(entry.staleAt === undefined ? {} : { staleAt: entry.staleAt }),
    // Tags come before params and result: `invalidateTags` reads them from the start of the file (disk-tags.ts).
    ...(entry.tags === undefined ? {} : { tags: entry.tags }),
    promise: entry.promise,
    params: entry.params,
    result: entry.result,
  });
  return Buffer.from(
    `{"format":"memotape-disk-entry","version":${DISK_ENTRY_VERSION},"key":"${key}","sha256":"${sha256Hex(body)}","entry":${body}}\n`,
    'utf8',
  );
}

/**
 * Reads an entry file's content, as bytes or as the string they decode to (UTF-8). Never throws: anything but an
 * intact entry of this version for `key` is damage.
 *
 * The checksum is taken over the UTF-8 encoding of the decoded body. Bytes that are not valid UTF-8 decode to
 * U+FFFD, which re-encodes to different bytes, so such damage fails the check like any other; the only bytes that
 * pass are ones that decode to the very text that was written.
 */
export function decodeDiskEntry(key: string, content: Buffer | string): DecodedDiskEntry {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  if (text.length === 0) return { ok: false, reason: 'empty' };
  // The header is ASCII, so its character offsets are its byte offsets.
  const markAt = text.indexOf(ENTRY_MARK);
  if (markAt < 0 || markAt > HEADER_LIMIT) {
    const version = versionOf(text);
    if (version === undefined) return { ok: false, reason: 'garbage' };
    return { ok: false, reason: version === DISK_ENTRY_VERSION ? 'truncated' : 'wrong version' };
  }
  const header = HEADER_PATTERN.exec(text.slice(0, markAt));
  if (header === null) return { ok: false, reason: versionOf(text) === undefined ? 'garbage' : 'wrong version' };
  if (Number(header[1]) !== DISK_ENTRY_VERSION) return { ok: false, reason: 'wrong version' };
  if (header[2] !== key) return { ok: false, reason: 'wrong key' };
  const bodyStart = markAt + ENTRY_MARK.length;
  const bodyEnd = text.length - TRAILER.length;
  if (bodyEnd <= bodyStart || !text.endsWith(TRAILER)) return { ok: false, reason: 'truncated' };
  const body = text.slice(bodyStart, bodyEnd);
  if (sha256Hex(body) !== header[3]) return { ok: false, reason: 'bad checksum' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'invalid entry' };
  }
  const entry = toStoredEntry(parsed);
  if (entry === undefined) return { ok: false, reason: 'invalid entry' };
  const { lastUsedAt } = parsed as { lastUsedAt?: unknown };
  return { ok: true, entry, writtenAt: typeof lastUsedAt === 'number' ? lastUsedAt : undefined };
}

function versionOf(text: string): number | undefined {
  const match = ANY_VERSION_PATTERN.exec(text.slice(0, HEADER_LIMIT));
  return match === null ? undefined : Number(match[1]);
}

/**
 * What makes `entry` impossible to write so that it reads back as itself, or `undefined` when nothing does: JSON has
 * no `undefined`, `NaN` or `Infinity`, so such fields would come back missing or `null` and the entry as damage.
 */
export function unwritableField(entry: StoredEntry): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'the entry itself (not an object)';
  if (typeof entry.namespace !== 'string') return 'namespace';
  if (typeof entry.promise !== 'boolean') return 'promise';
  if (typeof entry.createdAt !== 'number' || !Number.isFinite(entry.createdAt)) return 'createdAt';
  for (const time of ['expiresAt', 'staleAt'] as const) {
    const value = entry[time];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) return time;
  }
  const { tags } = entry;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return 'tags';
  if (entry.params === undefined) return 'params';
  if (entry.result === undefined) return 'result';
  return undefined;
}

/** Checks the shape of a parsed entry: a right checksum over a wrong shape (a bug, a hand edit) is still damage. */
function toStoredEntry(value: unknown): StoredEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const { namespace, promise, createdAt, expiresAt, staleAt, tags } = record;
  if (typeof namespace !== 'string' || typeof promise !== 'boolean') return undefined;
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return undefined;
  if (!Object.hasOwn(record, 'params') || !Object.hasOwn(record, 'result')) return undefined;
  if (expiresAt !== undefined && typeof expiresAt !== 'number') return undefined;
  if (staleAt !== undefined && typeof staleAt !== 'number') return undefined;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return undefined;
  return {
    namespace,
    params: record.params as Json,
    result: record.result as Json,
    promise,
    createdAt,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(staleAt === undefined ? {} : { staleAt }),
    ...(tags === undefined ? {} : { tags: tags as string[] }),
  };
}
