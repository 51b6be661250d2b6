import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../../src/config.js';
import { readDumpFile } from '../../src/dump/dump-file.js';
import { collectDumpCollections, flushDump } from '../../src/dump/flush.js';
import { resetParticipantsForTests } from '../../src/dump/participants.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { Memoizer } from '../../src/memoizer.js';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

let warnings: MockInstance<typeof process.emitWarning>;
let cacheDir: string;

beforeEach(() => {
  warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  resetParticipantsForTests();
  cacheDir = path.join(temporaryDirectory(), 'cache');
  configure({ cacheDir });
});

afterEach(() => {
  vi.restoreAllMocks();
  resetWarningsForTests();
  resetSettingsForTests();
});

afterAll(removeTemporaryDirectories);

/** { collection: { namespace: [results] } } of the dump file. */
function summary(): Record<string, Record<string, unknown[]>> {
  const dump = readDumpFile(path.join(cacheDir, 'memoizer_cache.json'))!;
  const out: Record<string, Record<string, unknown[]>> = {};
  for (const [name, entries] of dump.collections) {
    const byNamespace: Record<string, unknown[]> = {};
    for (const entry of entries.values()) {
      byNamespace[entry.namespace] = [...(byNamespace[entry.namespace] ?? []), entry.result];
    }
    out[name] = byNamespace;
  }
  return out;
}

describe('flushDump', () => {
  it('writes every live memoizer’s entries to <cacheDir>/memoizer_cache.json now, with dumping off', () => {
    const plain = new Memoizer();
    const pad = new Memoizer({ subKey: 'pad-mm' });
    plain.memoize({ name: 'double' })((x: number) => x * 2)(2);
    pad.memoize({ name: 'square' })((x: number) => x * x)(3);
    const outcome = flushDump();
    expect(outcome).toEqual({ status: 'written', file: path.join(cacheDir, 'memoizer_cache.json'), entries: 2 });
    expect(summary()).toEqual({ null: { double: [4] }, 'pad-mm': { square: [9] } });
  });

  it('can run again: the file then holds the union, with this process’s latest values', () => {
    const memoizer = new Memoizer();
    const recorded = memoizer.record({ name: 'now' })((label: string) => `${label}-${memoizer.stats().writes}`);
    recorded('a');
    flushDump();
    recorded('a');
    recorded('b');
    flushDump();
    expect(summary()).toEqual({ null: { now: expect.arrayContaining(['a-1', 'b-2']) } });
  });

  it('writes nothing when no memoizer holds entries', () => {
    new Memoizer();
    expect(flushDump().status).toBe('empty');
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('leaves an unstorable result out with one warning naming the function, and writes the rest', () => {
    const memoizer = new Memoizer();
    const makeHandler = memoizer.memoize({ name: 'makeHandler' })((id: number) => () => id);
    makeHandler(1);
    makeHandler(2);
    memoizer.memoize({ name: 'plain' })(() => 'ok')();
    expect(flushDump()).toMatchObject({ status: 'written', entries: 1 });
    expect(summary()).toEqual({ null: { plain: ['ok'] } });
    const messages = warnings.mock.calls.map(([message]) => String(message));
    expect(messages).toEqual([expect.stringContaining('makeHandler')]);
    expect(messages[0]).toContain('a function');
  });

  it('dumps preloaded entries again, with this process’s own results winning for the same key', () => {
    const recorder = new Memoizer();
    const slow = recorder.record({ name: 'version' })((name: string) => `${name}@1`);
    slow('a');
    slow('b');
    flushDump();
    const fixture = path.join(temporaryDirectory(), 'fixture.json');
    writeFileSync(fixture, readFileSync(path.join(cacheDir, 'memoizer_cache.json')));
    resetParticipantsForTests();

    const memoizer = new Memoizer({ preloadFrom: fixture });
    memoizer.record({ name: 'version' })((name: string) => `${name}@2`)('b');
    const collected = collectDumpCollections().get('null')!;
    expect([...collected.values()].map((entry) => entry.result).sort()).toEqual(['a@1', 'b@2']);
  });

  it('reports a failure in its result and one warning, and never throws', () => {
    const blocker = path.join(temporaryDirectory(), 'a-file');
    writeFileSync(blocker, '');
    configure({ cacheDir: path.join(blocker, 'cache') });
    new Memoizer().memoize({ name: 'f' })(() => 1)();
    const outcome = flushDump();
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'ERR_MEMOTAPE_DUMP', reason: 'unwritable' });
    expect(warnings).toHaveBeenCalledTimes(1);
  });
});
