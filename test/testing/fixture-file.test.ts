import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DumpCollection, DumpEntry } from '../../src/dump/dump-format.js';
import { acquireDumpLock } from '../../src/dump/dump-lock.js';
import { DumpError, SecretLeakError } from '../../src/errors.js';
import { loadFixture, writeFixture } from '../../src/testing/fixture-file.js';
import { fileIdentity, fixturePath, isolateTapes, readFixture } from './helpers.js';

isolateTapes();

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

function entry(result: string, namespace = 'area'): DumpEntry {
  return { namespace, params: { args: [result] }, result, promise: false };
}

function collection(...entries: [string, DumpEntry][]): DumpCollection {
  return new Map(entries);
}

describe('loadFixture', () => {
  it('reads a missing file as an empty fixture', () => {
    expect(loadFixture(fixturePath())).toEqual({ exists: false, contents: { version: 1, collections: new Map() } });
  });

  it('reads an existing one', () => {
    const file = fixturePath();
    writeFixture(file, 'null', collection([KEY_A, entry('one')]), {});
    const loaded = loadFixture(file);
    expect(loaded.exists).toBe(true);
    expect(loaded.contents.collections.get('null')?.get(KEY_A)).toEqual(entry('one'));
  });

  it('refuses a corrupt file with a DumpError that says how to repair it', () => {
    const file = fixturePath();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"version": 2, "collections": {}}');
    expect(() => loadFixture(file)).toThrow(expect.objectContaining({ reason: 'unsupported-version', file }));
    expect(() => loadFixture(file)).toThrow(/delete it and record it again/);
  });
});

describe('writeFixture', () => {
  it('lays the entries over the file, keeping every other entry and collection', () => {
    const file = fixturePath();
    writeFixture(file, 'null', collection([KEY_A, entry('one')]), {});
    writeFixture(file, 'other', collection([KEY_A, entry('elsewhere')]), {});
    expect(writeFixture(file, 'null', collection([KEY_B, entry('two')]), {})).toBe('written');
    const written = readFixture(file);
    expect(Object.keys(written.collections)).toEqual(['null', 'other']);
    expect(Object.keys(written.collections.null ?? {})).toEqual([KEY_A, KEY_B]);
    expect(written.cache_size).toBe(3);
  });

  it('answers unchanged, and leaves the file alone, when the bytes would be the same', () => {
    const file = fixturePath();
    writeFixture(file, 'null', collection([KEY_A, entry('one')]), {});
    const before = fileIdentity(file);
    expect(writeFixture(file, 'null', collection([KEY_A, entry('one')]), {})).toBe('unchanged');
    expect(fileIdentity(file)).toBe(before);
  });

  it('writes nothing when a secret is in the content', () => {
    const file = fixturePath();
    writeFixture(file, 'null', collection([KEY_A, entry('one')]), {});
    const before = readFileSync(file, 'utf8');
    expect(() =>
      writeFixture(file, 'null', collection([KEY_B, entry('uses s3cr3t-value')]), { S: 's3cr3t-value' }),
    ).toThrow(SecretLeakError);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('gives up with a DumpError when the lock stays busy', () => {
    const file = fixturePath();
    mkdirSync(path.dirname(file), { recursive: true });
    const held = acquireDumpLock(file, { budgetMs: 0, staleMs: 10_000 });
    try {
      expect(() => writeFixture(file, 'null', collection([KEY_A, entry('one')]), {}, 50)).toThrow(
        expect.objectContaining({ name: 'DumpError', reason: 'locked' }),
      );
    } finally {
      held?.release();
    }
    expect(writeFixture(file, 'null', collection([KEY_A, entry('one')]), {}, 50)).toBe('written');
  });

  it('reports a folder it cannot create as a DumpError', () => {
    const parent = fixturePath('blocker');
    mkdirSync(path.dirname(parent), { recursive: true });
    writeFileSync(parent, 'a file where a folder should be');
    expect(() => writeFixture(path.join(parent, 'api.json'), 'null', collection([KEY_A, entry('one')]), {})).toThrow(
      DumpError,
    );
  });
});
