import type { RedisClient } from './client.js';
import type { RemoteEntry } from './envelope.js';
import type { Guard } from './guard.js';
import { tagVersionKey } from './keys.js';
import { BUMP_TAG, runScript, TAG_VERSION } from './scripts.js';

/*
 * Tags across processes: every tag has a version key in Redis, and an entry stores the version of each of its tags
 * at the time it was written. `invalidateTags` moves the versions on (to the server's clock in microseconds), so a
 * reader that finds an entry whose versions are no longer current treats it as a miss, in every process and on every
 * machine, without anyone having to find the entries themselves.
 *
 * Three rules keep it right:
 * - A tag key lives at least as long as any entry that refers to it (writers extend it; invalidations never shorten
 *   it), so a version can never silently fall back to "0" under a live entry. A missing key reads as a changed one.
 * - A computation notes the server's clock when it starts (single flight's first round trip). If a version of its
 *   tags is newer than that when it writes, a tag was invalidated while it ran: its result is not stored.
 * - Anything uncertain (Redis failing while versions are read) counts as stale: at worst a value is computed again.
 */

/** Extra life of a tag key beyond the entries referring to it, for clock drift between writers and Redis. */
const TAG_MARGIN = 60_000;

/** What tag versions need from the store. */
export interface TagVersionHost {
  readonly prefix: string;
  readonly timeouts: { readonly get: number; readonly set: number };
  /** How long an invalidated tag key lives at least: entries written before never outlive it. */
  readonly defaultTtl: number;
  readonly guard: Guard;
  client(): RedisClient;
}

/**
 * The versions of `tags` for an entry written now that lives `ttl` ms, creating or extending their keys; `undefined`
 * when Redis did not answer (the entry is then not written).
 */
export async function versionsForWrite(
  host: TagVersionHost,
  tags: readonly string[],
  ttl: number,
): Promise<string[] | undefined> {
  const lifetime = String(Math.ceil(ttl) + TAG_MARGIN);
  const attempt = await host.guard.run('tags', host.timeouts.set, () =>
    Promise.all(
      tags.map((tag) => runScript(host.client(), TAG_VERSION, [tagVersionKey(host.prefix, tag)], [lifetime])),
    ),
  );
  return attempt.ok ? attempt.value.map(String) : undefined;
}

/** Whether a tag was invalidated at or after `startedAt` (server microseconds), given the versions read since. */
export function invalidatedSince(versions: readonly string[], startedAt: number): boolean {
  return versions.some((version) => Number(version) >= startedAt);
}

/** Whether the tags of `entry` still have the versions it was stored with. Untagged entries always do. */
export async function tagsAreCurrent(host: TagVersionHost, entry: RemoteEntry): Promise<boolean> {
  const { tags, tagVersions } = entry;
  if (tags === undefined || tags.length === 0) return true;
  if (tagVersions === undefined) return false;
  const attempt = await host.guard.run('tags', host.timeouts.get, () =>
    Promise.all(tags.map((tag) => host.client().sendCommand(['GET', tagVersionKey(host.prefix, tag)]))),
  );
  if (!attempt.ok) return false;
  return attempt.value.every((version, index) => version !== null && String(version) === tagVersions[index]);
}

/** Invalidates `tags` for every process; answers whether Redis took it (a failure is counted by the guard). */
export async function bumpTags(host: TagVersionHost, tags: readonly string[]): Promise<boolean> {
  const lifetime = String(host.defaultTtl + TAG_MARGIN);
  const attempt = await host.guard.run('invalidate', host.timeouts.set, () =>
    Promise.all(tags.map((tag) => runScript(host.client(), BUMP_TAG, [tagVersionKey(host.prefix, tag)], [lifetime]))),
  );
  return attempt.ok;
}
