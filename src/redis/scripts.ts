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

/** Replies of {@link ACQUIRE}: the first element of the array it returns. */
export const AcquireReply = {
  /** `[0]`: no value, and no lease was asked for. */
  Miss: 0,
  /** `[1, envelope]`: the value is there. */
  Hit: 1,
  /** `[2]`: the lease is ours now. */
  Leased: 2,
  /** `[3, error]`: the server refused the lease (OOM, READONLY, NOPERM): compute without it. */
  Refused: 3,
  /** `[4, pttl]`: another caller holds the lease, for `pttl` more ms. */
  Held: 4,
} as const;

/**
 * Looks the value up and, when it is missing, tries to take the lease, in one round trip.
 * KEYS: value, lease. ARGV: token, leaseMs, "1" to take the lease (else only look).
 */
export const ACQUIRE = defineScript(`
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
if ARGV[3] ~= '1' then return {0} end
local taken = redis.pcall('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2])
if type(taken) == 'table' and taken.err then return {3, taken.err} end
if taken then return {2} end
return {4, redis.call('PTTL', KEYS[2])}
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
