import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Memoizer } from '../../src/index.js';
import { parseInvalidation } from '../../src/redis/invalidation-channel.js';
import type { RedisStore } from '../../src/redis/redis-store.js';
import type { RemoteInvalidation } from '../../src/stores/store.js';
import { eventually, hexKey } from './helpers.js';
import { useRedisServer } from './redis-fixture.js';

const redis = useRedisServer();

function store(prefix: string): RedisStore {
  return redis.store({ prefix });
}

async function listeners(channel: string): Promise<number> {
  const [, count] = (await redis.admin.sendCommand(['PUBSUB', 'NUMSUB', channel])) as unknown as [string, number];
  return Number(count);
}

describe('parseInvalidation', () => {
  it('reads tags and keys, and ignores anything else published on the channel', () => {
    expect(parseInvalidation('{"origin":"a","tags":["user:1"]}')).toEqual({ origin: 'a', tags: ['user:1'] });
    expect(parseInvalidation('{"keys":["00"]}')).toEqual({ keys: ['00'] });
    for (const text of ['nope', '{}', '{"tags":"user:1"}', '{"tags":[1]}', '{"origin":2,"tags":[]}', 'null']) {
      expect(parseInvalidation(text)).toBeUndefined();
    }
  });
});

describe('the invalidation channel', () => {
  it('tells every listening store about deletes and tag invalidations, with their origin', async () => {
    const prefix = `channel-${randomUUID()}`;
    const heard: RemoteInvalidation[] = [];
    const stop = store(prefix).onInvalidation((invalidation) => heard.push(invalidation));
    await eventually(async () => (await listeners(`${prefix}:v2:invalidations`)) === 1);
    const key = hexKey();
    const speaker = store(prefix);
    await speaker.delete(key, { origin: 'me' });
    await speaker.invalidateTags(['user:1']);
    await eventually(() => heard.length === 2);
    expect(heard).toEqual([{ origin: 'me', keys: [key] }, { tags: ['user:1'] }]);
    stop();
    await eventually(async () => (await listeners(`${prefix}:v2:invalidations`)) === 0);
  });

  it('lets the memoizer that invalidated keep what it recomputed, while another one drops its copy', async () => {
    const prefix = `origin-${randomUUID()}`;
    let computations = 0;
    const wrap = (memoizer: Memoizer) =>
      memoizer.memoize({ name: 'count', tags: () => ['counts'] })(async (_id: number) => ++computations);
    const first = wrap(new Memoizer({ remote: store(prefix) }));
    const second = wrap(new Memoizer({ remote: store(prefix) }));
    await first(1);
    await eventually(async () => (await second(1)) === 1);
    await eventually(async () => (await listeners(`${prefix}:v2:invalidations`)) === 2);
    const memoizer = new Memoizer({ remote: store(prefix) });
    const third = wrap(memoizer);
    await third(1);
    await memoizer.invalidateTags(['counts']);
    const recomputed = await third(1);
    await eventually(() => first.peek(1) === undefined && second.peek(1) === undefined);
    await expect(third.peek(1)).resolves.toBe(recomputed);
  });
});
