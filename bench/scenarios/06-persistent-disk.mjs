import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cacache from 'cacache';
import { FlatCache } from 'flat-cache';
import nodePersist from 'node-persist';
import { syncDisks, timeOnce } from '../lib/measure.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';
import { smallResult } from '../lib/payloads.mjs';

const FULL_ENTRIES = 10_000;
const QUICK_ENTRIES = 500;
// cacache and node-persist take ~1-3 ms per operation: they run a slice of the entries, and rows compare per-op
// throughput.
const FULL_PEER_ENTRIES = 2_000;
const QUICK_PEER_ENTRIES = 100;

const perOp = (totalNs, count) => totalNs / count;

async function fsBaselines(dir, count) {
  const files = Array.from({ length: count }, (_, index) => path.join(dir, `fs-${index}.json`));
  syncDisks();
  const write = await timeOnce(() => {
    for (let index = 0; index < count; index++) {
      const temp = `${files[index]}.tmp`;
      writeFileSync(temp, JSON.stringify(smallResult(index)));
      renameSync(temp, files[index]);
    }
  });
  syncDisks();
  let checksum = 0;
  const read = await timeOnce(() => {
    for (let index = 0; index < count; index++) checksum += JSON.parse(readFileSync(files[index], 'utf8')).id;
  });
  if (checksum !== (count * (count - 1)) / 2) throw new Error('fs baseline read back wrong values');
  return { write: perOp(write, count), read: perOp(read, count) };
}

async function memotapeRows(module, dir, count) {
  const cacheDir = path.join(dir, 'memotape');
  let calls = 0;
  const fetchItem = (index) => {
    calls++;
    return smallResult(index);
  };
  const writer = new module.PersistentMemoizer({ cacheDir, subDir: 'bench' });
  const memoizedWriter = writer.memoize({ name: 'fetchItem' })(fetchItem);
  syncDisks();
  const write = await timeOnce(() => {
    for (let index = 0; index < count; index++) memoizedWriter(index);
  });
  if (writer.stats().disk.writes !== count) throw new Error(`expected ${count} disk writes`);
  // A second memoizer on the same folder: its memory tier is empty, so every call is a disk hit.
  const reader = new module.PersistentMemoizer({ cacheDir, subDir: 'bench' });
  const memoizedReader = reader.memoize({ name: 'fetchItem' })(fetchItem);
  syncDisks();
  let checksum = 0;
  const hit = await timeOnce(() => {
    for (let index = 0; index < count; index++) checksum += memoizedReader(index).id;
  });
  if (calls !== count || reader.stats().hits.disk !== count || checksum !== (count * (count - 1)) / 2) {
    throw new Error('the cold memoizer did not answer every call from disk');
  }
  return { write: perOp(write, count), hit: perOp(hit, count) };
}

async function cacacheRows(dir, count) {
  const cache = path.join(dir, 'cacache');
  syncDisks();
  const put = await timeOnce(async () => {
    for (let index = 0; index < count; index++)
      await cacache.put(cache, `item-${index}`, JSON.stringify(smallResult(index)));
  });
  syncDisks();
  let checksum = 0;
  const get = await timeOnce(async () => {
    for (let index = 0; index < count; index++) {
      checksum += JSON.parse((await cacache.get(cache, `item-${index}`)).data.toString('utf8')).id;
    }
  });
  if (checksum !== (count * (count - 1)) / 2) throw new Error('cacache read back wrong values');
  return { put: perOp(put, count), get: perOp(get, count) };
}

async function nodePersistRows(dir, count) {
  const storage = nodePersist.create({ dir: path.join(dir, 'node-persist') });
  await storage.init();
  syncDisks();
  const set = await timeOnce(async () => {
    for (let index = 0; index < count; index++) await storage.setItem(`item-${index}`, smallResult(index));
  });
  syncDisks();
  let checksum = 0;
  const get = await timeOnce(async () => {
    for (let index = 0; index < count; index++) checksum += (await storage.getItem(`item-${index}`)).id;
  });
  if (checksum !== (count * (count - 1)) / 2) throw new Error('node-persist read back wrong values');
  return { set: perOp(set, count), get: perOp(get, count) };
}

async function flatCacheRows(dir, count) {
  const cacheDir = path.join(dir, 'flat-cache');
  const writer = new FlatCache({ cacheDir, cacheId: 'bench' });
  syncDisks();
  const save = await timeOnce(() => {
    for (let index = 0; index < count; index++) writer.set(`item-${index}`, smallResult(index));
    writer.save();
  });
  syncDisks();
  let checksum = 0;
  const load = await timeOnce(() => {
    const reader = new FlatCache({ cacheDir, cacheId: 'bench' });
    reader.load('bench');
    for (let index = 0; index < count; index++) checksum += reader.get(`item-${index}`).id;
  });
  if (checksum !== (count * (count - 1)) / 2) throw new Error('flat-cache read back wrong values');
  return { save: perOp(save, count), load: perOp(load, count) };
}

/** Scenario 6: PersistentMemoizer's disk tier against the disk caches in use today and plain fs calls. */
export const scenario = {
  number: 6,
  title: 'PersistentMemoizer: 10k writes of ~200-byte results; 10k disk hits with a cold memory tier',
  workload:
    `${FULL_ENTRIES.toLocaleString('en-US')} distinct calls whose results are ~200 bytes of JSON, one after another ` +
    `(cacache and node-persist: the first ${FULL_PEER_ENTRIES.toLocaleString('en-US')}, awaited one by one). ` +
    'Writes: a memoized miss, which writes its entry to disk before returning. Disk hits: the same calls on a second ' +
    'PersistentMemoizer over the same folder, whose memory tier is empty. Time per operation; the OS page cache is warm.',
  metrics: [{ key: 'ns', label: 'µs/op', scale: 1e-3 }],
  baseline: 'fs-write',
  targets: [
    {
      label: 'memotape writes ≥ 4× the throughput of cacache.put',
      subject: 'memotape-write',
      against: ['cacache-put'],
      metric: 'ns',
      kind: 'speedup',
      limit: 4,
    },
    {
      label: 'memotape disk hits ≥ 20× the throughput of cacache.get',
      subject: 'memotape-hit',
      against: ['cacache-get'],
      metric: 'ns',
      kind: 'speedup',
      limit: 20,
    },
    {
      label: 'memotape disk hits ≤ 3× readFileSync + JSON.parse',
      subject: 'memotape-hit',
      against: ['fs-read'],
      metric: 'ns',
      limit: 3,
    },
  ],
  notes: [
    'memotape writes and reads synchronously: a write is an atomic temp-file write and rename (no fsync unless ' +
      '`durable`), a disk hit one file read, checksum check and decode. cacache and node-persist are asynchronous.',
    'flat-cache keeps everything in one JSON file: its rows are per entry of "set every entry, then save()" and ' +
      '"load(), then get every entry"; each save rewrites the whole file, so it is not a per-call store.',
  ],
  async run(context) {
    const count = context.quick ? QUICK_ENTRIES : FULL_ENTRIES;
    const peerCount = context.quick ? QUICK_PEER_ENTRIES : FULL_PEER_ENTRIES;
    const builds = memotapeBuilds.filter(({ module }) => typeof module.PersistentMemoizer === 'function');
    if (builds.length === 0) {
      return { pending: 'PersistentMemoizer not built yet (src/persistent-memoizer.ts)', rows: [] };
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'memotape-bench-disk-'));
    const rows = [];
    const add = (id, label, baseline, ns, short) => rows.push({ id, label, short, baseline, values: { ns } });
    try {
      const fs = await fsBaselines(dir, count);
      add('fs-write', 'base: JSON.stringify + writeFileSync(temp) + renameSync', 'fs-write', fs.write, 'fs write');
      for (const { id, label, module } of builds) {
        const memotape = await memotapeRows(module, path.join(dir, id), count);
        add(`${id}-write`, `${label} PersistentMemoizer write (memoized miss)`, 'fs-write', memotape.write);
        add(`${id}-hit`, `${label} PersistentMemoizer disk hit (cold memory)`, 'fs-read', memotape.hit);
      }
      const cache = await cacacheRows(dir, peerCount);
      add('cacache-put', `cacache.put (${peerCount.toLocaleString('en-US')} entries)`, 'fs-write', cache.put);
      const persist = await nodePersistRows(dir, peerCount);
      add(
        'node-persist-set',
        `node-persist setItem (${peerCount.toLocaleString('en-US')} entries)`,
        'fs-write',
        persist.set,
      );
      const flat = await flatCacheRows(dir, count);
      add('flat-cache-save', 'flat-cache set every entry + save(), per entry', 'fs-write', flat.save);
      add('fs-read', 'base: readFileSync + JSON.parse', 'fs-read', fs.read, 'fs read');
      add('cacache-get', `cacache.get (${peerCount.toLocaleString('en-US')} entries)`, 'fs-read', cache.get);
      add(
        'node-persist-get',
        `node-persist getItem (${peerCount.toLocaleString('en-US')} entries)`,
        'fs-read',
        persist.get,
      );
      add('flat-cache-load', 'flat-cache load() + get every entry, per entry', 'fs-read', flat.load);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Writes first, then reads, each group led by its baseline.
    const order = (row) => (row.baseline === 'fs-write' ? 0 : 1) * 100 + (row.id === row.baseline ? 0 : 1);
    return rows.sort((left, right) => order(left) - order(right));
  },
};
