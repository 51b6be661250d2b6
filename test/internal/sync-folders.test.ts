import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syncCreatedFolders } from '../../src/internal/sync-folders.js';
import { relativeCalls } from '../helpers/fs-calls.js';

// node:fs is mocked in this file only: calls reach the real file system and are logged in order, by path.
const calls = vi.hoisted((): string[] => []);
vi.mock('node:fs', async (importOriginal) =>
  (await import('../helpers/fs-calls.js')).recordingFs(importOriginal, calls),
);

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'memotape-sync-folders-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('syncCreatedFolders', () => {
  it('fsyncs the parent of every folder mkdir created, deepest first, and nothing above the first one', () => {
    const deepest = path.join(root, 'a', 'b', 'c');
    const firstCreated = mkdirSync(deepest, { recursive: true });
    expect(firstCreated).toBe(path.join(root, 'a'));
    calls.length = 0;
    syncCreatedFolders(deepest, firstCreated!);
    expect(relativeCalls(calls, root)).toEqual(['fsync a/b', 'fsync a', 'fsync .']);
  });

  it('does not throw when a folder cannot be opened (the entries themselves are still fsynced)', () => {
    calls.length = 0;
    expect(() => syncCreatedFolders(path.join(root, 'gone', 'deeper'), path.join(root, 'gone'))).not.toThrow();
    expect(relativeCalls(calls, root)).toEqual(['fsync .']);
  });
});
