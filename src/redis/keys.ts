import { sha256Hex } from '../internal/sha256.js';

/*
 * Key layout of the Redis tier:
 *
 *   <prefix>:v<layout>:{<32-hex key>}:value     the envelope of one entry (always with a TTL)
 *   <prefix>:v<layout>:{<32-hex key>}:lease     the single-flight lease: a random token, with a PX of `leaseMs`
 *   <prefix>:v<layout>:{<32-hex key>}:channel   the pub/sub channel completions are announced on (not a key)
 *   <prefix>:v<layout>:tag:{<32-hex tag>}:version  the version of one tag (see tag-versions.ts; always with a TTL)
 *   <prefix>:v<layout>:invalidations            the pub/sub channel invalidations are announced on (not a key)
 *
 * The braces are a Redis Cluster hash tag: value, lease and channel of one key hash to one slot, so the Lua scripts
 * that touch them together stay valid on a cluster. The layout version lets a new layout live beside the old one.
 */

/**
 * The version of the key layout above; bump it when the layout changes, so a new layout lives beside the old.
 *
 * @example
 * ```ts
 * import { LAYOUT_VERSION } from 'memotape/redis'; // 2: keys look like "memotape:v2:{<key>}:value"
 * ```
 */
export const LAYOUT_VERSION = 2;

/** The names of one entry in Redis. */
export interface EntryKeys {
  readonly value: string;
  readonly lease: string;
  readonly channel: string;
}

const HEX_KEY = /^[0-9a-f]{32}$/;
// Characters that would break the hash tag, a SCAN MATCH pattern or an ACL key pattern.
const FORBIDDEN_IN_PREFIX = /[{}*?[\]\\\s]/;

/** Whether `key` is a 32-hex persisted key, the only kind of key the Redis tier stores. */
export function isHexKey(key: unknown): key is string {
  return typeof key === 'string' && HEX_KEY.test(key);
}

/** Checks a `prefix` option; throws a TypeError naming it. */
export function validatePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || prefix === '' || FORBIDDEN_IN_PREFIX.test(prefix)) {
    throw new TypeError(
      `Expected \`prefix\` to be a non-empty string without braces, glob characters or whitespace, got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

/** The value, lease and channel names of `hexKey` under `prefix`. */
export function entryKeys(prefix: string, hexKey: string): EntryKeys {
  const base = `${prefix}:v${LAYOUT_VERSION}:{${hexKey}}:`;
  return { value: `${base}value`, lease: `${base}lease`, channel: `${base}channel` };
}

/**
 * The version key of `tag` under `prefix`. The tag is hashed (SHA-256, 32 hex) inside the braces: a tag may hold
 * braces or glob characters, which would break the hash tag and SCAN patterns.
 */
export function tagVersionKey(prefix: string, tag: string): string {
  const hash = sha256Hex(tag).slice(0, 32);
  return `${prefix}:v${LAYOUT_VERSION}:tag:{${hash}}:version`;
}

/** The pub/sub channel invalidations are published on (not a key): `<prefix>:v<layout>:invalidations`. */
export function invalidationChannel(prefix: string): string {
  return `${prefix}:v${LAYOUT_VERSION}:invalidations`;
}

/**
 * The SCAN pattern matching every key memotape writes under `prefix`, in any layout version, and nothing of a
 * longer prefix (`app` does not match `app:x:v2:{...}:value`).
 */
export function prefixPattern(prefix: string): string {
  return `${prefix}:v[0-9]*:{*}:*`;
}
