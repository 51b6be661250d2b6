import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PersistentMemoizer } from '../../src/index.js';
import { canonicalizeArgs, persistedKey } from '../../src/key.js';
import { DiskStore } from '../../src/stores/disk-store.js';
import type { StoredEntry } from '../../src/stores/store.js';
import { relativeCalls } from '../helpers/fs-calls.js';

// node:fs is mocked in this file only (its own module graph): every call still reaches the real file system, and
// the writes, fsyncs, renames and mkdirs made by memotape are logged in order, by path.
const calls = vi.hoisted((): string[] => []);
vi.mock('node:fs', async (importOriginal) =>
  (await import('../helpers/fs-calls.js')).recordingFs(importOriginal, calls),
);

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'memotape-durable-'));
  calls.length = 0;
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const keyOf = (n: number) => persistedKey('f', canonicalizeArgs([n]));
const entryOf = (n: number): StoredEntry => ({
  namespace: 'f',
  params: { args: [n] },
  result: n,
  promise: false,
  createdAt: 1_000,
});

/** What memotape did to the file system since the last call, relative to the temp root. */
function logged(): string[] {
  const log = relativeCalls(calls, root);
  calls.length = 0;
  return log;
}

describe('DiskStore with durable: true', () => {
  it('fsyncs the written temp file before renaming it over the entry, then the shard folder', () => {
    const key = keyOf(1);
    const shard = `disk-v1/store/${key.slice(0, 2)}`;
    const store = new DiskStore({ directory: path.join(root, 'disk-v1', 'store'), durable: true });
    store.set(key, entryOf(1));
    logged();

    store.set(key, entryOf(1));
    expect(logged()).toEqual([
      `write ${shard}/<temp of ${key}.json>`,
      `fsync ${shard}/<temp of ${key}.json>`,
      `rename ${shard}/<temp of ${key}.json> -> ${shard}/${key}.json`,
      `fsync ${shard}`,
    ]);
  });

  it('fsyncs the parent of each folder it creates before the entry is renamed into place', () => {
    const key = keyOf(1);
    const shard = `disk-v1/store/${key.slice(0, 2)}`;
    new DiskStore({ directory: path.join(root, 'disk-v1', 'store'), durable: true }).set(key, entryOf(1));
    expect(logged()).toEqual([
      // disk-v1, store and the shard are new: each is made durable by an fsync of the folder that holds it.
      `mkdir ${shard}`,
      'fsync disk-v1/store',
      'fsync disk-v1',
      'fsync .',
      `write ${shard}/<temp of ${key}.json>`,
      `fsync ${shard}/<temp of ${key}.json>`,
      `rename ${shard}/<temp of ${key}.json> -> ${shard}/${key}.json`,
      `fsync ${shard}`,
    ]);
  });
});

describe('DiskStore without durable', () => {
  it('writes and renames, creating folders, without a single fsync', () => {
    const key = keyOf(1);
    const shard = `disk-v1/store/${key.slice(0, 2)}`;
    const store = new DiskStore({ directory: path.join(root, 'disk-v1', 'store') });
    store.set(key, entryOf(1));
    store.set(key, entryOf(1));
    const write = `write ${shard}/<temp of ${key}.json>`;
    const rename = `rename ${shard}/<temp of ${key}.json> -> ${shard}/${key}.json`;
    expect(logged()).toEqual([`mkdir ${shard}`, write, rename, write, rename]);
  });
});

describe('PersistentMemoizer durable option', () => {
  it('passes durable: true to its disk tier: a recorded result is fsynced before its rename', () => {
    const memoizer = new PersistentMemoizer({ cacheDir: root, subDir: 'tests', durable: true });
    memoizer.memoize({ name: 'work' })((x: number) => x * 2)(21);
    const log = logged();
    const rename = log.findIndex((line) => line.startsWith('rename '));
    expect(log[rename - 1]).toMatch(/^fsync disk-v1\/tests\/[0-9a-f]{2}\/<temp of [0-9a-f]{32}\.json>$/);
    expect(log[rename + 1]).toMatch(/^fsync disk-v1\/tests\/[0-9a-f]{2}$/);
  });

  it('fsyncs nothing by default', () => {
    const memoizer = new PersistentMemoizer({ cacheDir: root, subDir: 'tests' });
    memoizer.memoize({ name: 'work' })((x: number) => x * 2)(21);
    const log = logged();
    expect(log.filter((line) => line.startsWith('rename '))).toHaveLength(1);
    expect(log.filter((line) => line.startsWith('fsync '))).toEqual([]);
  });
});
