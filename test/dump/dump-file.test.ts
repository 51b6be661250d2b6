import { mkdirSync, readdirSync, readFileSync, rmdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CanonicalEntry } from '../../src/dump/canonical-entry.js';
import { loadDumpFile, mergeIntoDumpFile, readDumpFile } from '../../src/dump/dump-file.js';
import { type DumpCollections, type DumpEntry, parseDump, serializeDump } from '../../src/dump/dump-format.js';
import { DumpError } from '../../src/errors.js';
import { captureWarnings } from '../helpers/warnings.js';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const KEY_C = 'c'.repeat(32);
const DUMP = 'memoizer_cache.json';

const warnings = captureWarnings();

afterAll(removeTemporaryDirectories);

function entry(result: string): DumpEntry {
  return { namespace: 'fn', params: { args: [result] }, result, promise: false };
}

function collections(spec: Record<string, Record<string, string>>): DumpCollections {
  return new Map(
    Object.entries(spec).map(([name, entries]) => [
      name,
      new Map(Object.entries(entries).map(([key, result]) => [key, entry(result)])),
    ]),
  );
}

/** The results in a dump file, as { collection: { key: result } }. */
function results(file: string): Record<string, Record<string, unknown>> {
  const dump = readDumpFile(file)!;
  return Object.fromEntries(
    [...dump.collections].map(([name, entries]) => [
      name,
      Object.fromEntries([...entries].map(([key, value]) => [key, value.result])),
    ]),
  );
}

const warningMessages = warnings.codes;

function dumpFile(): string {
  return path.join(temporaryDirectory(), 'cache', DUMP);
}

describe('readDumpFile', () => {
  it('answers undefined for a file that does not exist', () => {
    expect(readDumpFile(dumpFile())).toBeUndefined();
  });

  it('reports a folder where the file should be as corrupt', () => {
    const file = dumpFile();
    mkdirSync(file, { recursive: true });
    expect(() => readDumpFile(file)).toThrow(expect.objectContaining({ name: 'DumpError', reason: 'corrupt', file }));
  });
});

describe('loadDumpFile', () => {
  it('reads the entries readDumpFile reads, decoding those of a file memotape wrote on first use', () => {
    const file = dumpFile();
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a', [KEY_B]: 'b' }, other: { [KEY_C]: 'c' } }));
    const loaded = loadDumpFile(file)!;
    expect(loaded.collections.get('null')?.get(KEY_A)).toBeInstanceOf(CanonicalEntry);
    const plain = (dump: typeof loaded) =>
      [...dump.collections].map(([name, entries]) => [name, [...entries].map(([key, { result }]) => [key, result])]);
    expect(plain(loaded)).toEqual(plain(readDumpFile(file)!));
  });

  it('parses a valid file in another layout the ordinary way', () => {
    const file = dumpFile();
    mkdirSync(path.dirname(file));
    writeFileSync(file, JSON.stringify({ version: 1, collections: { null: { [KEY_A]: entry('a') } } }));
    const loaded = loadDumpFile(file)!;
    expect(loaded.collections.get('null')?.get(KEY_A)).toEqual(entry('a'));
    expect(loaded.collections.get('null')?.get(KEY_A)).not.toBeInstanceOf(CanonicalEntry);
  });

  it('answers and fails as readDumpFile does', () => {
    const file = dumpFile();
    expect(loadDumpFile(file)).toBeUndefined();
    mkdirSync(path.dirname(file));
    writeFileSync(file, '{"version": 1, "collections": ');
    expect(() => loadDumpFile(file)).toThrow(expect.objectContaining({ name: 'DumpError', reason: 'corrupt', file }));
  });
});

describe('mergeIntoDumpFile', () => {
  it('writes the first dump when neither the file nor its folder exists', () => {
    const file = dumpFile();
    const outcome = mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a' } }));
    expect(outcome).toEqual({ status: 'written', file, entries: 1 });
    expect(results(file)).toEqual({ null: { [KEY_A]: 'a' } });
    expect(readdirSync(path.dirname(file))).toEqual([DUMP]);
  });

  it("keeps other processes' entries and lets this process win for a shared key", () => {
    const file = dumpFile();
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'old', [KEY_B]: 'kept' }, other: { [KEY_C]: 'other' } }));
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'new' }, mine: { [KEY_C]: 'mine' } }));
    expect(results(file)).toEqual({
      null: { [KEY_A]: 'new', [KEY_B]: 'kept' },
      other: { [KEY_C]: 'other' },
      mine: { [KEY_C]: 'mine' },
    });
  });

  it('gives the same bytes when the same entries are merged again', () => {
    const file = dumpFile();
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a', [KEY_B]: 'b' } }));
    const first = readFileSync(file, 'utf8');
    mergeIntoDumpFile(file, collections({ null: { [KEY_B]: 'b', [KEY_A]: 'a' } }));
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('copies the entries it keeps from a file memotape wrote as they are, in the bytes serializing them gives', () => {
    const file = dumpFile();
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'old', [KEY_C]: 'kept' }, other: { [KEY_B]: 'other' } }));
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'new', [KEY_B]: 'added' } }));
    const expected = collections({
      null: { [KEY_A]: 'new', [KEY_B]: 'added', [KEY_C]: 'kept' },
      other: { [KEY_B]: 'other' },
    });
    expect(readFileSync(file, 'utf8')).toBe(serializeDump({ version: 1, collections: expected }));
  });

  it('rewrites a valid file in another layout in the standard one, keeping its entries and dropping unknown fields', () => {
    const file = dumpFile();
    mkdirSync(path.dirname(file));
    const handWritten = { version: 1, collections: { null: { [KEY_A]: { ...entry('a'), note: 'by hand' } } } };
    writeFileSync(file, JSON.stringify(handWritten, null, 4));
    expect(mergeIntoDumpFile(file, collections({ null: { [KEY_B]: 'b' } })).status).toBe('written');
    const expected = collections({ null: { [KEY_A]: 'a', [KEY_B]: 'b' } });
    expect(readFileSync(file, 'utf8')).toBe(serializeDump({ version: 1, collections: expected }));
    expect(warningMessages()).toEqual([]);
  });

  it('writes nothing when there are no entries', () => {
    const file = dumpFile();
    expect(mergeIntoDumpFile(file, new Map([['null', new Map()]])).status).toBe('empty');
    expect(readDumpFile(file)).toBeUndefined();
  });

  it.each([
    ['garbage', '{"collections": {"null": '],
    ['an older, unversioned file', '{"collections": {}, "cache_size": 0}'],
  ])('moves %s aside with one warning, never overwriting it', (_, text) => {
    const file = dumpFile();
    mkdirSync(path.dirname(file));
    writeFileSync(file, text);
    const outcome = mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a' } }));
    expect(outcome.status).toBe('written');
    const aside = readdirSync(path.dirname(file)).filter((name) => name !== DUMP);
    expect(aside).toEqual([expect.stringMatching(/^memoizer_cache\.json\.corrupt-\d+$/)]);
    expect(readFileSync(path.join(path.dirname(file), aside[0]!), 'utf8')).toBe(text);
    expect(results(file)).toEqual({ null: { [KEY_A]: 'a' } });
    expect(warningMessages()).toEqual([expect.stringContaining('MEMOTAPE_DUMP_CORRUPT')]);
    expect(warningMessages()[0]).toContain(aside[0]);
  });

  it('reports a folder it cannot create as failed, with one warning, and never throws', () => {
    const blocker = path.join(temporaryDirectory(), 'a-file');
    writeFileSync(blocker, '');
    const file = path.join(blocker, 'cache', DUMP);
    const outcome = mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a' } }));
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(DumpError);
    expect(outcome.error?.reason).toBe('unwritable');
    expect(warningMessages()).toEqual([expect.stringContaining('MEMOTAPE_DUMP_FAILED')]);
    expect(warningMessages()[0]).toContain(file);
    expect(warningMessages()[0]).toContain('1 entries of this process were not saved');
  });

  describe('when the lock stays busy beyond the budget', () => {
    it('writes the entries to a side file with one warning, and the next merge folds it in', () => {
      const file = dumpFile();
      mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'first' } }));
      mkdirSync(`${file}.lock`);

      const outcome = mergeIntoDumpFile(file, collections({ null: { [KEY_B]: 'waiting' } }), { lockBudgetMs: 50 });
      expect(outcome.status).toBe('pending');
      expect(outcome.error?.reason).toBe('locked');
      expect(path.basename(outcome.sideFile!)).toMatch(/^memoizer_cache\.json\.\d+-\d+-[0-9a-f]+\.pending$/);
      expect(parseDump(readFileSync(outcome.sideFile!, 'utf8'), 'side').collections.get('null')?.has(KEY_B)).toBe(true);
      expect(warningMessages()).toEqual([expect.stringContaining('MEMOTAPE_DUMP_DEFERRED')]);
      expect(results(file)).toEqual({ null: { [KEY_A]: 'first' } });

      // The holder finishes; the next merge folds the side file in, under this merge's own entries.
      rmdirSync(`${file}.lock`);
      mergeIntoDumpFile(file, collections({ null: { [KEY_C]: 'later' } }));
      expect(results(file)).toEqual({ null: { [KEY_A]: 'first', [KEY_B]: 'waiting', [KEY_C]: 'later' } });
      expect(readdirSync(path.dirname(file))).toEqual([DUMP]);
    });

    it("lets the merging process's own entries win over a side file's", () => {
      const file = dumpFile();
      mkdirSync(path.dirname(file));
      writeFileSync(
        `${file}.1-0-ab.pending`,
        serializeDump({ version: 1, collections: collections({ null: { [KEY_A]: 'side' } }) }),
      );
      mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'own' } }));
      expect(results(file)).toEqual({ null: { [KEY_A]: 'own' } });
    });

    it('folds side files oldest first', () => {
      const file = dumpFile();
      mkdirSync(path.dirname(file));
      const older = `${file}.2-0-aa.pending`;
      const newer = `${file}.1-0-bb.pending`;
      writeFileSync(older, serializeDump({ version: 1, collections: collections({ null: { [KEY_A]: 'older' } }) }));
      writeFileSync(newer, serializeDump({ version: 1, collections: collections({ null: { [KEY_A]: 'newer' } }) }));
      utimesSync(older, new Date(1_000_000), new Date(1_000_000));
      mergeIntoDumpFile(file, collections({ null: { [KEY_B]: 'b' } }));
      expect(results(file)).toEqual({ null: { [KEY_A]: 'newer', [KEY_B]: 'b' } });
    });

    it('moves a corrupt side file aside instead of folding it', () => {
      const file = dumpFile();
      mkdirSync(path.dirname(file));
      writeFileSync(`${file}.1-0-ab.pending`, 'not json');
      expect(mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a' } })).status).toBe('written');
      expect(readdirSync(path.dirname(file)).sort()).toEqual([
        DUMP,
        expect.stringMatching(/^memoizer_cache\.json\.1-0-ab\.pending\.corrupt-\d+$/),
      ]);
    });
  });

  it('writes to a side file, leaving the dump file and no temp file, when the lock is taken over while it writes', () => {
    const file = dumpFile();
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'first' } }));
    const before = readFileSync(file, 'utf8');
    // Another process takes the lock over (it judged it stale) while this one writes its temp file.
    const takeOver: DumpEntry = {
      ...entry('late'),
      get params() {
        rmdirSync(`${file}.lock`);
        mkdirSync(`${file}.lock`);
        return { args: ['late'] };
      },
    };
    const outcome = mergeIntoDumpFile(file, new Map([['null', new Map([[KEY_B, takeOver]])]]));
    expect(outcome.status).toBe('pending');
    expect(outcome.error?.reason).toBe('locked');
    expect(warningMessages()).toEqual([expect.stringContaining('was taken over during the merge')]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(parseDump(readFileSync(outcome.sideFile!, 'utf8'), 'side').collections.get('null')?.has(KEY_B)).toBe(true);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(
      [DUMP, `${DUMP}.lock`, path.basename(outcome.sideFile!)].sort(),
    );
    rmdirSync(`${file}.lock`);
  });

  it('reports an entry it cannot write as failed, leaving the dump file and no temp file', () => {
    const file = dumpFile();
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'first' } }));
    const before = readFileSync(file, 'utf8');
    const unwritable: DumpEntry = { ...entry('b'), result: 1n as unknown as DumpEntry['result'] };
    const outcome = mergeIntoDumpFile(file, new Map([['null', new Map([[KEY_B, unwritable]])]]));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.reason).toBe('unwritable');
    expect(warningMessages()).toEqual([expect.stringContaining('MEMOTAPE_DUMP_FAILED')]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(path.dirname(file))).toEqual([DUMP]);
  });

  it('reclaims a stale lock left by a killed process', () => {
    const file = dumpFile();
    mkdirSync(`${file}.lock`, { recursive: true });
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, longAgo, longAgo);
    expect(mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a' } }), { lockBudgetMs: 50 }).status).toBe(
      'written',
    );
    expect(readdirSync(path.dirname(file))).toEqual([DUMP]);
  });

  it('removes temp files that a killed writer left behind once they are old', () => {
    const file = dumpFile();
    mkdirSync(path.dirname(file));
    const abandoned = path.join(path.dirname(file), `.memotape-tmp-${DUMP}.999.0.abcdef`);
    writeFileSync(abandoned, '{"half": ');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(abandoned, longAgo, longAgo);
    mergeIntoDumpFile(file, collections({ null: { [KEY_A]: 'a' } }));
    expect(readdirSync(path.dirname(file))).toEqual([DUMP]);
  });
});
