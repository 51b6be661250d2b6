import { existsSync, mkdirSync, rmdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDumpLock } from '../../src/dump/dump-lock.js';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

afterAll(removeTemporaryDirectories);

const options = { budgetMs: 100, staleMs: 10_000 };

function dumpFile(): string {
  return path.join(temporaryDirectory(), 'memoizer_cache.json');
}

describe('acquireDumpLock', () => {
  it('locks a dump file that does not exist yet, and releases it', () => {
    const file = dumpFile();
    const lock = acquireDumpLock(file, options);
    expect(lock?.path).toBe(`${file}.lock`);
    expect(existsSync(`${file}.lock`)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(lock?.stillHeld()).toBe(true);
    lock?.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('gives up, answering undefined, when another process holds the lock for the whole budget', () => {
    const file = dumpFile();
    mkdirSync(`${file}.lock`);
    expect(acquireDumpLock(file, options)).toBeUndefined();
    expect(existsSync(`${file}.lock`)).toBe(true);
  });

  it('reclaims a lock older than the stale time at once', () => {
    const file = dumpFile();
    mkdirSync(`${file}.lock`);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, longAgo, longAgo);
    const lock = acquireDumpLock(file, options);
    expect(lock?.stillHeld()).toBe(true);
    lock?.release();
  });

  it('notices a lock taken over by someone else, and leaves the new holder’s lock in place', () => {
    const file = dumpFile();
    const lock = acquireDumpLock(file, options)!;
    // Another process decides the lock is stale, removes it and makes its own.
    rmdirSync(`${file}.lock`);
    mkdirSync(`${file}.lock`);
    expect(lock.stillHeld()).toBe(false);
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(true);
  });

  it('notices a lock that was removed', () => {
    const file = dumpFile();
    const lock = acquireDumpLock(file, options)!;
    rmdirSync(`${file}.lock`);
    expect(lock.stillHeld()).toBe(false);
    expect(() => lock.release()).not.toThrow();
  });

  it('throws the file system error when no lock can be made in the folder', () => {
    const file = path.join(temporaryDirectory(), 'missing-folder', 'memoizer_cache.json');
    expect(() => acquireDumpLock(file, options)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
