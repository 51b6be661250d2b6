import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, ENVELOPE_VERSION, encodeEnvelope } from '../../src/redis/envelope.js';
import type { StoredEntry } from '../../src/stores/store.js';

const KEY = '0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'fedcba9876543210fedcba9876543210';
const entry: StoredEntry = {
  namespace: 'f',
  params: { args: [1] },
  result: { ok: true },
  promise: false,
  createdAt: 5,
};

describe('the value envelope', () => {
  it('names its version and key in a header line, then holds the entry as JSON', () => {
    const text = encodeEnvelope(KEY, entry);
    expect(text.split('\n')[0]).toBe(`memotape/${ENVELOPE_VERSION} ${KEY}`);
    expect(decodeEnvelope(KEY, text, 0)).toEqual(entry);
  });

  it('round-trips any JSON entry (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.boolean(), (params, result, promise) => {
        const generated = JSON.parse(JSON.stringify({ namespace: 'n', params, result, promise, createdAt: 1 }));
        expect(decodeEnvelope(KEY, encodeEnvelope(KEY, generated), 0)).toEqual(generated);
      }),
    );
  });

  it('reads as a miss under another key, in another version, damaged, of the wrong shape or expired', () => {
    const text = encodeEnvelope(KEY, entry);
    expect(decodeEnvelope(OTHER_KEY, text, 0)).toBeUndefined();
    expect(decodeEnvelope(KEY, text.replace('memotape/1', 'memotape/9'), 0)).toBeUndefined();
    expect(decodeEnvelope(KEY, text.slice(0, -3), 0)).toBeUndefined();
    expect(decodeEnvelope(KEY, `memotape/1 ${KEY}\n[1,2]`, 0)).toBeUndefined();
    expect(
      decodeEnvelope(KEY, `memotape/1 ${KEY}\n{"namespace":"f","params":1,"result":1,"promise":"no","createdAt":1}`, 0),
    ).toBeUndefined();
    expect(decodeEnvelope(KEY, null, 0)).toBeUndefined();
    const expiring = encodeEnvelope(KEY, { ...entry, expiresAt: 100 });
    expect(decodeEnvelope(KEY, expiring, 99)).toBeDefined();
    expect(decodeEnvelope(KEY, expiring, 100)).toBeUndefined();
  });
});
