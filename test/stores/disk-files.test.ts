import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDirectory, readAll, sizeOf } from '../../src/stores/disk-files.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'memotape-disk-files-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('disk file helpers', () => {
  it('answers a file size, or -1 when there is no file', () => {
    const file = path.join(directory, 'a');
    writeFileSync(file, 'hello');
    expect(sizeOf(file)).toBe(5);
    expect(sizeOf(path.join(directory, 'missing'))).toBe(-1);
  });

  it('tells folders from files and missing paths', () => {
    const file = path.join(directory, 'a');
    writeFileSync(file, '');
    expect(isDirectory(directory)).toBe(true);
    expect(isDirectory(file)).toBe(false);
    expect(isDirectory(path.join(file, 'below-a-file'))).toBe(false);
  });

  it('reads a whole file, and only what is there when it is shorter than expected', () => {
    const file = path.join(directory, 'a');
    writeFileSync(file, 'x'.repeat(100_000));
    const descriptor = openSync(file, 'r');
    try {
      expect(readAll(descriptor, 100_000).toString()).toBe('x'.repeat(100_000));
      expect(readAll(descriptor, 100_010).length).toBe(100_000);
    } finally {
      closeSync(descriptor);
    }
  });
});
