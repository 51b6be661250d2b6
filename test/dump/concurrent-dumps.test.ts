import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dumpWrites,
  fixture,
  memotapeWarnings,
  removeTemporaryDirectories,
  requireBuild,
  root,
  runChild,
  startChild,
  temporaryDirectory,
} from './helpers.js';

const child = fixture('dump-child.mjs');
const DUMP = 'memoizer_cache.json';

interface DumpJson {
  cache_size: number;
  collections: Record<string, Record<string, { namespace: string; params: { args: unknown[] }; result: unknown }>>;
}

beforeAll(requireBuild);
afterAll(removeTemporaryDirectories);

function readDump(cacheDir: string): DumpJson {
  return JSON.parse(readFileSync(path.join(cacheDir, DUMP), 'utf8'));
}

/** `owner` of every recorded `work` entry in the dump, with how many entries each owner has. */
function entriesByOwner(dump: DumpJson): Map<string, number> {
  const owners = new Map<string, number>();
  for (const entry of Object.values(dump.collections.null ?? {})) {
    if (entry.namespace !== 'work') continue;
    const owner = String(entry.params.args[0]);
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
  }
  return owners;
}

function leftovers(cacheDir: string): string[] {
  return readdirSync(cacheDir).filter((name) => name !== DUMP);
}

/** Puts a lock directory (or file) far in the past, as if its owner died long ago. */
function age(target: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(target, then, then);
}

describe('16 processes exiting at the same moment into one dump file', () => {
  const processes = 16;
  const perProcess = 5;

  for (const round of [1, 2, 3]) {
    it(`keeps every process's entries (round ${round})`, async () => {
      const directory = temporaryDirectory();
      const cacheDir = path.join(directory, 'cache');
      const go = path.join(directory, 'go');
      const children = Array.from({ length: processes }, (_, index) =>
        startChild(child, {
          MEMOTAPE_DUMP: '1',
          MEMOTAPE_CACHE_DIR: cacheDir,
          CHILD_EXIT: 'barrier',
          CHILD_GO: go,
          CHILD_ID: `p${index}`,
          CHILD_COUNT: String(perProcess),
        }),
      );
      await Promise.all(children.map((running) => running.waitFor('READY')));
      mkdirSync(go);
      const results = await Promise.all(children.map((running) => running.done));

      expect(results.map((result) => result.code)).toEqual(Array(processes).fill(0));
      expect(results.map(dumpWrites)).toEqual(Array(processes).fill(1));
      expect(results.flatMap(memotapeWarnings)).toEqual([]);
      const dump = readDump(cacheDir);
      expect(dump.cache_size).toBe(processes * perProcess + 1);
      const owners = entriesByOwner(dump);
      for (let index = 0; index < processes; index++) expect(owners.get(`p${index}`)).toBe(perProcess);
      const shared = Object.values(dump.collections.null!).find((entry) => entry.namespace === 'shared');
      expect(shared?.result).toMatch(/^p\d+$/);
      expect(leftovers(cacheDir)).toEqual([]);
    });
  }
});

describe('a lock left behind', () => {
  it('by a killed process is reclaimed once stale, and the dump goes through', async () => {
    const cacheDir = path.join(temporaryDirectory(), 'cache');
    mkdirSync(cacheDir);
    const holder = startChild(fixture('hold-lock.mjs'), {
      CHILD_ROOT: root,
      CHILD_LOCK_FILE: path.join(cacheDir, DUMP),
    });
    await holder.waitFor('READY');
    holder.process.kill('SIGKILL');
    await holder.done;
    const lock = path.join(cacheDir, `${DUMP}.lock`);
    expect(existsSync(lock)).toBe(true);
    // Instead of waiting out the 10 s stale time, make the dead holder's lock look 60 s old.
    age(lock, 60);

    const result = await runChild(child, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, CHILD_ID: 'after' });
    expect(result.code).toBe(0);
    expect(dumpWrites(result)).toBe(1);
    expect(entriesByOwner(readDump(cacheDir)).get('after')).toBe(3);
    expect(leftovers(cacheDir)).toEqual([]);
  });

  it('by a live process past the budget sends the entries to a side file that the next dump merges', async () => {
    const cacheDir = path.join(temporaryDirectory(), 'cache');
    mkdirSync(cacheDir);
    const holder = startChild(fixture('hold-lock.mjs'), {
      CHILD_ROOT: root,
      CHILD_LOCK_FILE: path.join(cacheDir, DUMP),
    });
    await holder.waitFor('READY');

    const blocked = await runChild(child, {
      MEMOTAPE_DUMP: '1',
      MEMOTAPE_CACHE_DIR: cacheDir,
      CHILD_ID: 'blocked',
      CHILD_EXIT: 'exit-3',
    });
    expect(blocked.code).toBe(3);
    expect(dumpWrites(blocked)).toBe(0);
    const warnings = memotapeWarnings(blocked);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('MEMOTAPE_DUMP_DEFERRED');
    const sideFiles = leftovers(cacheDir).filter((name) => name.endsWith('.pending'));
    expect(sideFiles).toHaveLength(1);
    expect(warnings[0]).toContain(sideFiles[0]);

    holder.process.kill('SIGTERM');
    await holder.done;
    const next = await runChild(child, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, CHILD_ID: 'next' });
    expect(dumpWrites(next)).toBe(1);
    const owners = entriesByOwner(readDump(cacheDir));
    expect(Object.fromEntries(owners)).toEqual({ blocked: 3, next: 3 });
    expect(leftovers(cacheDir)).toEqual([]);
  });
});

describe('SIGKILL in the middle of a large dump', () => {
  for (const delay of [0, 5, 25]) {
    it(`leaves the old file or the new one, which parses (kill ${delay} ms after the write starts)`, async () => {
      const cacheDir = path.join(temporaryDirectory(), 'cache');
      const before = await runChild(child, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, CHILD_ID: 'old' });
      expect(dumpWrites(before)).toBe(1);

      // About 40 MB of results.
      const large = startChild(child, {
        MEMOTAPE_DUMP: '1',
        MEMOTAPE_CACHE_DIR: cacheDir,
        CHILD_ID: 'large',
        CHILD_EXIT: 'exit-0',
        CHILD_COUNT: '2000',
        CHILD_PAYLOAD: '20000',
      });
      await large.waitFor('MEMOTAPE-TEST: dump started', 'stderr');
      await new Promise((resolve) => setTimeout(resolve, delay));
      large.process.kill('SIGKILL');
      await large.done;

      const dump = readDump(cacheDir);
      const owners = entriesByOwner(dump);
      if (owners.has('large')) {
        expect(Object.fromEntries(owners)).toEqual({ old: 3, large: 2000 });
      } else {
        expect(Object.fromEntries(owners)).toEqual({ old: 3 });
      }

      // The killed writer may leave its lock and a temp file: both are recovered by the next dump once stale.
      for (const name of leftovers(cacheDir)) age(path.join(cacheDir, name), 3600);
      const after = await runChild(child, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, CHILD_ID: 'after' });
      expect(dumpWrites(after)).toBe(1);
      const recovered = entriesByOwner(readDump(cacheDir));
      expect(recovered.get('old')).toBe(3);
      expect(recovered.get('after')).toBe(3);
      expect(leftovers(cacheDir)).toEqual([]);
    });
  }
});
