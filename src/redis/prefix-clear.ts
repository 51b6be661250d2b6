import { RedisTierError } from '../errors.js';
import type { RedisClient } from './client.js';
import type { Failure } from './failure.js';
import type { Guard } from './guard.js';
import { prefixPattern } from './keys.js';

const SCAN_BATCH = '500';

/**
 * Removes every key of `prefix` (values, leases and tag versions of every layout version) with SCAN and UNLINK, never
 * KEYS or FLUSHDB: it works under an ACL user limited to the prefix, and leaves other data alone. Each batch runs
 * under `timeout`. Being an explicit request, it rejects with a {@link RedisTierError} when Redis cannot be reached.
 */
export async function clearPrefix(guard: Guard, client: RedisClient, prefix: string, timeout: number): Promise<void> {
  const pattern = prefixPattern(prefix);
  let cursor = '0';
  do {
    const scanned = await guard.run('clear', timeout, () =>
      client.sendCommand(['SCAN', cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH]),
    );
    if (!scanned.ok) throw clearFailed(prefix, scanned.failure);
    const [nextCursor, keys] = scanned.value as unknown as [string, string[]];
    cursor = String(nextCursor);
    if (keys.length > 0) {
      const unlinked = await guard.run('clear', timeout, () => client.sendCommand(['UNLINK', ...keys]));
      if (!unlinked.ok) throw clearFailed(prefix, unlinked.failure);
    }
  } while (cursor !== '0');
}

function clearFailed(prefix: string, failure: Failure | undefined): RedisTierError {
  const reason = failure === undefined ? 'the Redis tier is down or closed' : failure.message;
  return new RedisTierError('clear', `Could not clear the Redis tier (${prefix}): ${reason}`);
}
