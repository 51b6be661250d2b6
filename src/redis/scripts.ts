import { createHash } from 'node:crypto';
import type { RedisClient } from './client.js';

/*
 * The Lua scripts of single flight. Each runs atomically on the server, and each names every key it touches in
 * KEYS (value and lease share a hash tag, so they live in one cluster slot). Writes that can be refused under
 * maxmemory (SET) use redis.pcall and come first, so that a full server still lets the lease be released and the
 * channel be notified: Redis only refuses a script's first write under OOM, and DEL and PUBLISH never are.
 */

/** A Lua script run by EVALSHA, falling back to EVAL when the server does not know it yet (or was restarted). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function defineScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Replies of {@link ACQUIRE}: `[code, data, time]`, where `time` is the server's clock in microseconds (a
 * computation's start, against which tag versions are compared: see tag-versions.ts).
 */
export const AcquireReply = {
  /** `[0, '', time]`: no value, and no lease was asked for. */
  Miss: 0,
  /** `[1, envelope, time]`: the value is there. */
  Hit: 1,
  /** `[2, envelope or '', time]`: the lease is ours now (in refresh mode, with the value if there is one). */
  Leased: 2,
  /** `[3, error, time]`: the server refused the lease (OOM, READONLY, NOPERM): compute without it. */
  Refused: 3,
  /** `[4, pttl, time]`: another caller holds the lease, for `pttl` more ms. */
  Held: 4,
} as const;

/** How {@link ACQUIRE} treats the lease: only look, take it on a miss, or take it even over a value (a refresh). */
export const AcquireMode = { Look: '0', Lease: '1', Refresh: '2' } as const;

// The server's clock in microseconds, as a decimal string (Lua numbers are doubles: exact up to 2^53 µs).
const SERVER_MICROSECONDS = `local clock = redis.call('TIME')
local now = string.format('%.0f', tonumber(clock[1]) * 1000000 + tonumber(clock[2]))`;

/**
 * Looks the value up and, when it is missing (or in refresh mode, always), tries to take the lease, in one round
 * trip. KEYS: value, lease. ARGV: token, leaseMs, an {@link AcquireMode}.
 */
export const ACQUIRE = defineScript(`
${SERVER_MICROSECONDS}
local value = redis.call('GET', KEYS[1])
if value and ARGV[3] ~= '2' then return {1, value, now} end
if ARGV[3] == '0' then return {0, '', now} end
local taken = redis.pcall('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2])
if type(taken) == 'table' and taken.err then return {3, taken.err, now} end
if taken then return {2, value or '', now} end
return {4, redis.call('PTTL', KEYS[2]), now}
`);

/**
 * The version of a tag, for an entry about to be stored with it: creates the tag's key at version "0" when it is
 * missing, and makes it live at least as long as the entry (so a tag key never expires before an entry that refers
 * to it). KEYS: the tag's version key. ARGV: the entry's TTL plus a margin, in ms. Answers the version.
 */
export const TAG_VERSION = defineScript(`
local version = redis.call('GET', KEYS[1])
if not version then
  redis.call('SET', KEYS[1], '0', 'PX', ARGV[1])
  return '0'
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return version
`);

/**
 * Invalidates a tag: its version becomes the server's clock in microseconds (above the previous version), so every
 * entry stored with an older version reads as a miss, and a computation that started before now does not store.
 * The key keeps the longer of its TTL and ARGV[1] ms. KEYS: the tag's version key. Answers the new version.
 */
export const BUMP_TAG = defineScript(`
${SERVER_MICROSECONDS}
local version = tonumber(now)
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if version <= current then version = current + 1 end
local ttl = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left > ttl then ttl = left end
local text = string.format('%.0f', version)
redis.call('SET', KEYS[1], text, 'PX', ttl)
return text
`);

/** Deletes a value only if it is still the one given (a stale entry found by a reader). KEYS: value. ARGV: text. */
export const DELETE_IF_SAME = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Extends the lease while its owner computes, if it is still this owner's. KEYS: lease. ARGV: token, leaseMs.
 * Answers 1 when renewed, 0 when the lease was lost (expired, and maybe taken over).
 */
export const RENEW = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/**
 * Ends a computation: stores the envelope with its TTL (unless it is empty), deletes the lease only if it is still
 * this owner's, and announces the outcome on the channel: "done" when the value was stored, else ARGV[5] ("released"
 * after a failure: waiters try to take the lease; "local": waiters compute on their own).
 * KEYS: value, lease. ARGV: token, envelope or "", ttl ms, channel, message when nothing was stored.
 * Answers [1, ""] when stored, [0, ""] when there was nothing to store, [0, error] when the SET was refused.
 */
export const COMPLETE = defineScript(`
local stored = 0
local refused = ''
if ARGV[2] ~= '' then
  local reply = redis.pcall('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  if type(reply) == 'table' and reply.err then refused = reply.err else stored = 1 end
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if stored == 1 then redis.call('PUBLISH', ARGV[4], 'done') else redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return {stored, refused}
`);

/** Channel messages, published by {@link COMPLETE}. */
export const ChannelMessage = { Done: 'done', Released: 'released', Local: 'local' } as const;

/** Runs `script` with EVALSHA, and with EVAL when the server answers NOSCRIPT. */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await client.sendCommand(['EVALSHA', script.sha, ...tail]);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.sendCommand(['EVAL', script.source, ...tail]);
  }
}
