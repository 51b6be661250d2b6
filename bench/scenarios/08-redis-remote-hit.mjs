import { timeOnce } from '../lib/measure.mjs';
import { smallResult } from '../lib/payloads.mjs';
import { connectedClient, redisBuilds } from '../lib/redis-builds.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';

const FULL = { keys: 256, batches: 15 };
const QUICK = { keys: 32, batches: 3 };

/** A result of ~10 KB of JSON: 40 rows of ~240 bytes. */
function largeResult(index) {
  const rows = Array.from({ length: 40 }, (_, row) => ({
    row,
    label: `row-${index}-${row}`,
    score: (index * row) / 7,
    text: 'y'.repeat(180),
  }));
  return { id: index, name: `item-${index}`, rows };
}

const PAYLOADS = [
  { id: 'small', size: '~200 B', name: 'fetchSmall', make: smallResult },
  { id: 'large', size: '~10 KB', name: 'fetchLarge', make: largeResult },
];

/**
 * Writes `count` entries of `payload` the way another process would: a memoizer whose misses go through Redis.
 * Its store is closed (which waits for the writes) before anything is timed.
 */
async function populate(RedisStore, Memoizer, url, prefix, payload, count) {
  const writer = new RedisStore({ url, prefix });
  const memoized = new Memoizer({ remote: writer }).memoize({ name: payload.name })(async (index) =>
    payload.make(index),
  );
  for (let index = 0; index < count; index++) await memoized(index);
  await writer.close();
}

/**
 * The value keys of the entries stored under `prefix`, with their 32-hex part (for the RedisStore.get row), read with
 * SCAN. Any layout version matches, so that --compare can measure a build with an older layout.
 */
async function storedKeys(client, prefix) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.sendCommand(['SCAN', cursor, 'MATCH', `${prefix}:v*:*:value`, 'COUNT', '1000']);
    cursor = String(next);
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.map((key) => ({ valueKey: key, hex: /\{([0-9a-f]{32})\}/.exec(key)[1] }));
}

/**
 * One timed pass per task per batch, the tasks' order rotating from batch to batch (and process to process), so no
 * task always runs right after another. Answers each task's median ns per call over the batches; a first, untimed
 * batch warms connections, scripts and code.
 */
async function measureTasks(tasks, { keys, batches }, round) {
  const samples = new Map(tasks.map((task) => [task.id, []]));
  for (let batch = -1; batch < batches; batch++) {
    const shift = (batch + 1 + round) % tasks.length;
    for (const task of [...tasks.slice(shift), ...tasks.slice(0, shift)]) {
      if (task.error !== undefined) continue;
      try {
        await task.before?.();
        const ns = await timeOnce(task.run);
        task.check?.();
        if (batch >= 0) samples.get(task.id).push(ns / keys);
      } catch (error) {
        task.error = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return new Map(tasks.map((task) => [task.id, task.error ?? median(samples.get(task.id))]));
}

/** Rows of one payload size: the raw GET, and for each build RedisStore.get() and a memoizer's remote hit. */
async function payloadTasks(environment, client, url, payload, count) {
  const plainKeys = Array.from({ length: count }, (_, index) => `plain:${payload.id}:${index}`);
  for (const [index, key] of plainKeys.entries()) await client.set(key, JSON.stringify(payload.make(index)));
  const base = `base-${payload.id}`;
  const tasks = [
    {
      id: base,
      label: `base: node-redis GET + JSON.parse (${payload.size})`,
      short: `GET ${payload.size}`,
      baseline: base,
      run: async () => {
        for (const key of plainKeys) if (JSON.parse(await client.get(key)) === null) throw new Error('no value');
      },
    },
  ];
  const cleanup = [];
  const notes = [];
  for (const { id, label, module, RedisStore } of environment.builds) {
    const prefix = `bench-${id}-${payload.id}`;
    await populate(RedisStore, module.Memoizer, url, prefix, payload, count);
    const stored = await storedKeys(client, prefix);
    const hexKeys = stored.map(({ hex }) => hex);
    if (hexKeys.length !== count) throw new Error(`${label}: ${hexKeys.length} of ${count} entries reached Redis`);
    if (id === 'memotape') {
      let storedBytes = 0;
      for (const { valueKey } of stored) storedBytes += await client.strLen(valueKey);
      const plain = plainKeys.reduce((sum, _, index) => sum + JSON.stringify(payload.make(index)).length, 0);
      notes.push(
        `${payload.size}: results of ${Math.round(plain / count)} bytes of JSON on average are stored as ` +
          `${Math.round(storedBytes / count)}-byte values`,
      );
    }
    const remote = new RedisStore({ url, prefix });
    cleanup.push(() => remote.close());
    tasks.push({
      id: `${id}-store-${payload.id}`,
      label: `${label} RedisStore.get(): GET + envelope check + JSON.parse (${payload.size})`,
      baseline: base,
      run: async () => {
        for (const key of hexKeys) if ((await remote.get(key)) === undefined) throw new Error('RedisStore.get missed');
      },
    });
    let calls = 0;
    const memoizer = new module.Memoizer({ remote });
    const memoized = memoizer.memoize({ name: payload.name })(async (index) => {
      calls++;
      return payload.make(index);
    });
    let before;
    tasks.push({
      id: `${id}-${payload.id}`,
      label: `${label} Memoizer remote hit, cold memory tier (${payload.size})`,
      baseline: base,
      // Emptying the memory tier (untimed) makes every timed call of the batch a remote hit.
      before: () => {
        memoizer.cacheClear();
        before = { calls, hits: memoizer.stats().hits.remote };
      },
      run: async () => {
        for (let index = 0; index < count; index++) await memoized(index);
      },
      check: () => {
        const hits = memoizer.stats().hits.remote - before.hits;
        if (calls !== before.calls || hits !== count) {
          throw new Error(`not all remote hits: ${calls - before.calls} computed, ${hits} of ${count} remote hits`);
        }
      },
    });
  }
  return { tasks, notes, cleanup };
}

/** Scenario 8: a hit from the Redis tier with nothing in memory, against a bare GET of the same result. */
export const scenario = {
  number: 8,
  title: 'Redis tier: remote hit with a cold memory tier, ~200 B and ~10 KB results',
  workload:
    `A redis-server of its own on loopback holds ${FULL.keys} results of each size, written by another ` +
    'memoizer. A Memoizer({ remote: RedisStore }) with an empty memory tier awaits f(i) for each of them, one after ' +
    'another: every call is a remote hit (checked: the function never runs and stats().hits.remote grows by ' +
    `${FULL.keys}). Baseline: node-redis GET + JSON.parse of the same result stored as plain JSON. Median over ` +
    `${FULL.batches} batches per process of µs per call, rows interleaved.`,
  metrics: [{ key: 'ns', label: 'µs/call', scale: 1e-3 }],
  baseline: 'base-small',
  targets: PAYLOADS.map((payload) => ({
    label: `memotape remote hit ≤ 1.3× a raw GET + JSON.parse (${payload.size})`,
    subject: `memotape-${payload.id}`,
    against: [`base-${payload.id}`],
    metric: 'ns',
    limit: 1.3,
  })),
  notes: [
    'A remote hit is one round trip, like the baseline: a plain GET. Only a miss runs the Lua script that takes the ' +
      'single-flight lease (looking at the value again in the same atomic step). The memoizer then checks and ' +
      'decodes the entry and fills its memory tier.',
    'The RedisStore.get() row reads the same entries without the memoizer and without the script, to separate ' +
      'the costs.',
  ],
  async run(context) {
    const environment = await redisBuilds();
    if (environment.builds === undefined) return { ...environment, rows: [] };
    const settings = context.quick ? QUICK : FULL;
    const server = await startRedisServer(environment.binary);
    const client = await connectedClient(environment.createClient, server.url);
    const rows = [];
    const notes = [...scenario.notes];
    try {
      for (const payload of PAYLOADS) {
        const prepared = await payloadTasks(environment, client, server.url, payload, settings.keys);
        try {
          const results = await measureTasks(prepared.tasks, settings, context.round);
          for (const { id, label, short, baseline } of prepared.tasks) {
            const value = results.get(id);
            const row = { id, label, short, baseline, values: {} };
            if (typeof value === 'number') row.values.ns = value;
            else row.error = value;
            rows.push(row);
          }
          notes.push(...prepared.notes.map((note) => `${note} (header line, namespace, arguments, timestamps).`));
        } finally {
          for (const close of prepared.cleanup) await close();
        }
      }
    } finally {
      client.destroy();
      await server.stop();
    }
    return { rows, notes };
  },
};
