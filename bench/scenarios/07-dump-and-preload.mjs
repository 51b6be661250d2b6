import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syncDisks, timeOnce } from '../lib/measure.mjs';
import { memotapeBuilds } from '../lib/memotape-builds.mjs';

const FULL_ENTRIES = 100_000;
const QUICK_ENTRIES = 5_000;
const DUMP_FILE = 'memoizer_cache.json';

/** The recorded function: a result of ~100 bytes of JSON. */
const RECORDED_SOURCE = `(index) => ({ id: index, name: 'item-' + index, tags: ['alpha', 'beta'], score: index / 7 })`;

/**
 * Records `count` calls in a process of its own that dumps them when it exits (as a previous test run would), so
 * the dump file exists before anything is timed and the measuring process holds no entries of its own yet.
 */
function recordPreviousRun(url, cacheDir, count) {
  const source = `
    const { configure, Memoizer } = await import(${JSON.stringify(url)});
    configure({ dump: true, cacheDir: ${JSON.stringify(cacheDir)} });
    const fetchItem = new Memoizer({ subKey: 'bench' }).memoize({ name: 'fetchItem' })(${RECORDED_SOURCE});
    for (let index = 0; index < ${count}; index++) fetchItem(index);
  `;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MEMOTAPE_')));
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', source], { env, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`the recording process failed: ${child.stderr}`);
}

function countEntries(file) {
  const { collections } = JSON.parse(readFileSync(file, 'utf8'));
  return Object.values(collections).reduce((sum, collection) => sum + Object.keys(collection).length, 0);
}

/** Times memotape's exit-dump merge and preload, then the plain fs + JSON equivalents of the same files. */
async function measureBuild(module, url, dir, count) {
  const cacheDir = path.join(dir, 'cache');
  const dumpFile = path.join(cacheDir, DUMP_FILE);
  recordPreviousRun(url, cacheDir, count);
  const previousRun = path.join(dir, 'previous-run.json');
  copyFileSync(dumpFile, previousRun);
  if (countEntries(previousRun) !== count) throw new Error('the previous run did not dump every entry');

  // Merge: this process records `count` other calls, then dumps them into the existing file.
  module.configure({ dump: true, cacheDir });
  const recorder = new module.Memoizer({ subKey: 'bench' });
  const fetchItem = recorder.memoize({ name: 'fetchItem' })(new Function(`return ${RECORDED_SOURCE}`)());
  for (let index = count; index < 2 * count; index++) fetchItem(index);
  syncDisks();
  let outcome;
  const merge = await timeOnce(() => {
    outcome = module.flushDump();
  });
  module.configure({ dump: false });
  if (outcome.status !== 'written' || countEntries(dumpFile) !== 2 * count) {
    throw new Error(`flushDump() did not merge every entry (${outcome.status})`);
  }

  // The same bytes written the plain way: stringify (indented like the dump) + write a temp file + rename.
  const merged = JSON.parse(readFileSync(dumpFile, 'utf8'));
  const plainFile = path.join(dir, 'plain.json');
  syncDisks();
  const plainWrite = await timeOnce(() => {
    writeFileSync(`${plainFile}.tmp`, `${JSON.stringify(merged, null, 2)}\n`);
    renameSync(`${plainFile}.tmp`, plainFile);
  });

  // Preload: a new Memoizer reading its collection of the previous run's file.
  syncDisks();
  let preloaded;
  const preload = await timeOnce(() => {
    preloaded = new module.Memoizer({ subKey: 'bench', preloadFrom: previousRun });
  });
  let calls = 0;
  const replayed = preloaded.replay({ name: 'fetchItem' })(() => calls++);
  if (replayed(count - 1).id !== count - 1 || calls !== 0) throw new Error('the preloaded memoizer did not replay');

  syncDisks();
  let parsed;
  const plainRead = await timeOnce(() => {
    parsed = JSON.parse(readFileSync(previousRun, 'utf8'));
  });
  if (Object.keys(parsed.collections.bench).length !== count) throw new Error('the plain read lost entries');
  return { merge, plainWrite, preload, plainRead };
}

/** Scenario 7: the exit dump (a locked read-merge-write of one JSON file) and preloading from it. */
export const scenario = {
  number: 7,
  title: 'exit dump of 100k entries merged into an existing 100k-entry file; preload of a 100k-entry file',
  workload:
    `A previous process records ${FULL_ENTRIES.toLocaleString('en-US')} calls and dumps them at exit. This process ` +
    `records ${FULL_ENTRIES.toLocaleString('en-US')} other calls and times flushDump() (the exit dump: lock, read ` +
    'and parse the file, merge, write a temp file, rename), then new Memoizer({ preloadFrom }) on the first file. ' +
    'Baselines: the same bytes written with JSON.stringify + writeFileSync + renameSync, and read with ' +
    'readFileSync + JSON.parse. One timing per process (ms).',
  metrics: [{ key: 'ns', label: 'ms', scale: 1e-6 }],
  baseline: 'plain-write',
  targets: [
    {
      label: 'dump merge ≤ 1.5× plain stringify + write + rename',
      subject: 'memotape-merge',
      against: ['plain-write'],
      metric: 'ns',
      limit: 1.5,
    },
    {
      label: 'preload ≤ 1.5× readFileSync + JSON.parse',
      subject: 'memotape-preload',
      against: ['plain-read'],
      metric: 'ns',
      limit: 1.5,
    },
  ],
  notes: [
    'The plain write baseline writes the merged file (200k entries, indented as the dump is) but reads nothing: ' +
      'the dump also reads and parses the existing 100k entries under its lock before writing.',
    'Preloading validates every entry and indexes the collection by key; results are decoded on first use.',
  ],
  async run(context) {
    const count = context.quick ? QUICK_ENTRIES : FULL_ENTRIES;
    const builds = memotapeBuilds.filter(({ module }) => typeof module.flushDump === 'function');
    if (builds.length === 0) return { pending: 'flushDump not built yet (src/dump/)', rows: [] };
    const rows = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'memotape-bench-dump-'));
    try {
      for (const [index, { id, label, module, url }] of builds.entries()) {
        const times = await measureBuild(module, url, path.join(dir, id), count);
        const add = (rowId, rowLabel, baseline, ns, short) =>
          rows.push({ id: rowId, label: rowLabel, short, baseline, values: { ns } });
        if (index === 0) {
          add(
            'plain-write',
            'base: JSON.stringify + writeFileSync(temp) + renameSync, merged file',
            'plain-write',
            times.plainWrite,
            'plain write',
          );
          add(
            'plain-read',
            'base: readFileSync + JSON.parse, 100k-entry file',
            'plain-read',
            times.plainRead,
            'plain read',
          );
        }
        add(`${id}-merge`, `${label} flushDump(): merge 100k into a 100k-entry file`, 'plain-write', times.merge);
        add(
          `${id}-preload`,
          `${label} new Memoizer({ preloadFrom }) of a 100k-entry file`,
          'plain-read',
          times.preload,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const order = (row) => (row.baseline === 'plain-write' ? 0 : 1) * 100 + (row.id === row.baseline ? 0 : 1);
    return rows.sort((left, right) => order(left) - order(right));
  },
};
