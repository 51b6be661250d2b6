import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeDiskEntry, encodeDiskEntry } from '../../src/stores/disk-entry-format.js';
import type { StoredEntry } from '../../src/stores/store.js';

const key = '0123456789abcdef0123456789abcdef';
const entry: StoredEntry = {
  namespace: 'shouldPad',
  params: { args: [128, 'ü'] },
  result: { padded: true, at: { $mt: 'D', v: 0 } },
  promise: true,
  createdAt: 1000,
  expiresAt: 5000,
  tags: ['a'],
};

function damage(bytes: Buffer, edit: (text: string) => string): Buffer {
  return Buffer.from(edit(bytes.toString('utf8')), 'utf8');
}

describe('encodeDiskEntry / decodeDiskEntry', () => {
  it('round-trips an entry, non-ASCII text included', () => {
    expect(decodeDiskEntry(key, encodeDiskEntry(key, entry, 2000))).toEqual({ ok: true, entry, writtenAt: 2000 });
  });

  it('reads the same entry from the file decoded as a UTF-8 string', () => {
    const bytes = encodeDiskEntry(key, entry, 2000);
    expect(decodeDiskEntry(key, bytes.toString('utf8'))).toEqual(decodeDiskEntry(key, bytes));
  });

  it('reads bytes that are not valid UTF-8 as a bad checksum, not as the text they decode to', () => {
    const bytes = encodeDiskEntry(key, entry, 2000);
    // 'ü' is C3 BC; a lone C3 followed by an ASCII byte decodes to U+FFFD, which re-encodes to other bytes.
    const at = bytes.indexOf(Buffer.from('ü'));
    const damaged = Buffer.concat([bytes.subarray(0, at + 1), Buffer.from('x'), bytes.subarray(at + 2)]);
    expect(decodeDiskEntry(key, damaged)).toEqual({ ok: false, reason: 'bad checksum' });
    expect(decodeDiskEntry(key, damaged.toString('utf8'))).toEqual({ ok: false, reason: 'bad checksum' });
  });

  it('writes one JSON object holding the version, key, checksum, times and entry', () => {
    const file = JSON.parse(encodeDiskEntry(key, entry, 2000).toString('utf8'));
    expect(file).toMatchObject({ format: 'memotape-disk-entry', version: 1, key });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.entry).toMatchObject({ namespace: 'shouldPad', createdAt: 1000, lastUsedAt: 2000, expiresAt: 5000 });
  });

  it('leaves optional fields out when the entry has none', () => {
    const plain: StoredEntry = { namespace: 'f', params: null, result: null, promise: false, createdAt: 1 };
    const decoded = decodeDiskEntry(key, encodeDiskEntry(key, plain, 1));
    expect(decoded).toEqual({ ok: true, entry: plain, writtenAt: 1 });
  });

  it.each([
    ['empty', () => Buffer.alloc(0)],
    ['garbage', () => Buffer.from('\u0000\u00ff garbage that is not an entry')],
    ['garbage', () => Buffer.from('{"some":"other json"}\n')],
    ['truncated', (bytes: Buffer) => bytes.subarray(0, bytes.length - 1)],
    ['truncated', (bytes: Buffer) => bytes.subarray(0, 100)],
    ['truncated', (bytes: Buffer) => bytes.subarray(0, 60)],
    ['bad checksum', (bytes: Buffer) => damage(bytes, (text) => text.replace('"padded":true', '"padded":fals'))],
    ['bad checksum', (bytes: Buffer) => damage(bytes, (text) => text.replace('128', '129'))],
    ['wrong version', (bytes: Buffer) => damage(bytes, (text) => text.replace('"version":1', '"version":2'))],
    ['wrong version', () => Buffer.from('{"format":"memotape-disk-entry","version":7,"other":"layout"}\n')],
    ['wrong key', (bytes: Buffer) => damage(bytes, (text) => text.replace(key, 'f'.repeat(32)))],
  ])('reads a damaged file (%s) as damage, never as an entry', (reason, make) => {
    const bytes = make(encodeDiskEntry(key, entry, 2000));
    expect(decodeDiskEntry(key, bytes)).toEqual({ ok: false, reason });
  });

  it('rejects an intact checksum over a body that is not an entry', () => {
    const body = JSON.stringify({ namespace: 'f', promise: 'yes', createdAt: 1, params: null, result: null });
    const sum = createHash('sha256').update(body).digest('hex');
    const bytes = Buffer.from(
      `{"format":"memotape-disk-entry","version":1,"key":"${key}","sha256":"${sum}","entry":${body}}\n`,
    );
    expect(decodeDiskEntry(key, bytes)).toEqual({ ok: false, reason: 'invalid entry' });
  });
});
