import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileWriter, TEMP_FILE_MARK, writeFileAtomicSync } from '../../src/internal/atomic-write.js';

const directories: string[] = [];

afterAll(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function target(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'memotape-atomic-'));
  directories.push(directory);
  return path.join(directory, 'file.json');
}

function tempFiles(file: string): string[] {
  return readdirSync(path.dirname(file)).filter((name) => name.startsWith(TEMP_FILE_MARK));
}

/** 1 MiB, the writer's buffer: texts around it cross a buffer boundary. */
const BUFFER_BYTES = 1 << 20;

describe('AtomicFileWriter', () => {
  it('writes text given in pieces as its UTF-8 bytes, replacing the file only on commit', () => {
    const file = target();
    writeFileSync(file, 'old');
    const pieces = ['{"a": ', '"é😀"', ', "b": [1, 2]', '}\n'];
    const writer = AtomicFileWriter.open(file);
    try {
      for (const piece of pieces) writer.write(piece);
      expect(readFileSync(file, 'utf8')).toBe('old');
      writer.commit();
    } finally {
      writer.discard();
    }
    expect(readFileSync(file)).toEqual(Buffer.from(pieces.join(''), 'utf8'));
    expect(tempFiles(file)).toEqual([]);
  });

  it('writes texts bigger than its buffer exactly, never splitting a surrogate pair', () => {
    const file = target();
    // Long texts are cut in pieces of a fixed length: with and without one unit before them, surrogate pairs sit
    // across either parity of cut.
    const emoji = '😀'.repeat(BUFFER_BYTES / 2);
    const pieces = ['é'.repeat(BUFFER_BYTES / 3), emoji, `x${emoji}`, 'a'.repeat(BUFFER_BYTES + 7), '\u2028end'];
    const writer = AtomicFileWriter.open(file, { durable: true });
    try {
      for (const piece of pieces) writer.write(piece);
      writer.commit();
    } finally {
      writer.discard();
    }
    expect(readFileSync(file).equals(Buffer.from(pieces.join(''), 'utf8'))).toBe(true);
  });

  it('gives the bytes of the joined text for any pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 30 }), (pieces) => {
        const file = target();
        const writer = AtomicFileWriter.open(file);
        try {
          for (const piece of pieces) writer.write(piece);
          writer.writeBytes(Buffer.from([0x0a]));
          writer.commit();
        } finally {
          writer.discard();
        }
        expect(readFileSync(file)).toEqual(Buffer.from(`${pieces.join('')}\n`, 'utf8'));
      }),
      { numRuns: 50 },
    );
  });

  it('leaves the file as it was and removes its temp file when discarded before the commit', () => {
    const file = target();
    writeFileSync(file, 'old');
    const writer = AtomicFileWriter.open(file);
    writer.write('new');
    writer.close();
    expect(tempFiles(file)).toHaveLength(1);
    writer.discard();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(tempFiles(file)).toEqual([]);
  });

  it('refuses text once closed', () => {
    const writer = AtomicFileWriter.open(target());
    try {
      writer.close();
      expect(() => writer.write('late')).toThrow(/already closed/);
    } finally {
      writer.discard();
    }
  });

  it('keeps the committed file when discarded afterwards', () => {
    const file = target();
    const writer = AtomicFileWriter.open(file);
    writer.write('kept');
    writer.commit();
    writer.discard();
    expect(readFileSync(file, 'utf8')).toBe('kept');
  });
});

describe('writeFileAtomicSync', () => {
  it.each([
    ['a short text', 'ok ✓'],
    ['a text bigger than the writer buffer', '😀'.repeat(BUFFER_BYTES)],
  ])('writes %s as UTF-8', (_, text) => {
    const file = target();
    writeFileAtomicSync(file, text, { durable: true });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(tempFiles(file)).toEqual([]);
  });

  it('writes bytes as they are', () => {
    const file = target();
    writeFileAtomicSync(file, Uint8Array.of(0, 255, 10));
    expect([...readFileSync(file)]).toEqual([0, 255, 10]);
  });

  it('throws, leaving no temp file behind, when the rename fails', () => {
    const file = target();
    // A folder with something in it where the file should be: renaming a file over it fails.
    mkdirSync(file);
    writeFileSync(path.join(file, 'inside'), '');
    expect(() => writeFileAtomicSync(file, 'text')).toThrow();
    expect(tempFiles(file)).toEqual([]);
  });
});
