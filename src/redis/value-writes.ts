import type { StoredEntry } from '../stores/store.js';
import type { RedisClient } from './client.js';
import { encodeEnvelope, type RemoteEntry } from './envelope.js';
import type { Guard } from './guard.js';
import { entryKeys } from './keys.js';
import type { RedisCounters } from './redis-stats.js';
import type { PreparedWrite } from './single-flight-host.js';
import { invalidatedSince, type TagVersionHost, versionsForWrite } from './tag-versions.js';

/** What writing a value needs from its store. */
export interface ValueWriteHost {
  readonly prefix: string;
  readonly defaultTtl: number;
  readonly maxValueBytes: number;
  readonly setTimeout: number;
  readonly guard: Guard;
  readonly counters: RedisCounters;
  readonly tags: TagVersionHost;
  client(): RedisClient;
  track(promise: Promise<unknown>): void;
}

function envelopeOf(host: ValueWriteHost, hexKey: string, entry: RemoteEntry, ttl: number): PreparedWrite {
  const envelope = encodeEnvelope(hexKey, entry);
  const limit = host.maxValueBytes;
  if (envelope.length > limit || (envelope.length * 3 > limit && Buffer.byteLength(envelope) > limit)) {
    host.counters.oversized++;
    return undefined;
  }
  return { envelope, ttl };
}

/**
 * The envelope and PX to store `entry` under `hexKey`: with a TTL until `entry.expiresAt`, else `defaultTtl`;
 * nothing for an expired or oversized entry. A tagged entry first gets its tag versions (asynchronously), and is not
 * stored when one of its tags was invalidated since `startedAt` (server microseconds; see tag-versions.ts).
 */
export function prepareWrite(
  host: ValueWriteHost,
  hexKey: string,
  entry: StoredEntry,
  startedAt?: number,
): PreparedWrite | Promise<PreparedWrite> {
  const ttl = entry.expiresAt === undefined ? host.defaultTtl : Math.ceil(entry.expiresAt - Date.now());
  if (!(ttl > 0)) return undefined;
  const { tags } = entry;
  if (tags === undefined || tags.length === 0) return envelopeOf(host, hexKey, entry, ttl);
  return versionsForWrite(host.tags, tags, ttl).then((versions) => {
    if (versions === undefined) return undefined;
    if (startedAt !== undefined && invalidatedSince(versions, startedAt)) {
      host.counters.staleTags++;
      return undefined;
    }
    return envelopeOf(host, hexKey, { ...entry, tagVersions: versions }, ttl);
  });
}

/** Writes an entry (tracked for `close()`); never rejects for Redis failures. */
export function writeValue(
  host: ValueWriteHost,
  hexKey: string,
  entry: StoredEntry,
  startedAt: number | undefined,
): Promise<void> {
  const prepared = prepareWrite(host, hexKey, entry, startedAt);
  if (prepared === undefined) return Promise.resolve();
  const send = (write: PreparedWrite): Promise<void> | undefined => {
    if (write === undefined) return undefined;
    return host.guard
      .run('set', host.setTimeout, () =>
        host
          .client()
          .sendCommand(['SET', entryKeys(host.prefix, hexKey).value, write.envelope, 'PX', String(write.ttl)]),
      )
      .then((attempt) => {
        if (attempt.ok) host.counters.writes++;
      });
  };
  const done = prepared instanceof Promise ? prepared.then(send) : (send(prepared) as Promise<void>);
  host.track(done);
  return done;
}
