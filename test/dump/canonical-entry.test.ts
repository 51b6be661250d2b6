import { afterEach, describe, expect, it, vi } from 'vitest';
import { CanonicalEntry } from '../../src/dump/canonical-entry.js';
import { scanCanonicalDump, scannedCollections } from '../../src/dump/canonical-scan.js';
import { type DumpEntry, serializeDump, toStoredEntry } from '../../src/dump/dump-format.js';

const KEY = 'a'.repeat(32);

afterEach(() => {
  vi.restoreAllMocks();
});

function canonicalEntry(entry: DumpEntry): CanonicalEntry {
  const text = serializeDump({ version: 1, collections: new Map([['null', new Map([[KEY, entry]])]]) });
  const read = scannedCollections(scanCanonicalDump(text)!).get('null')?.get(KEY);
  if (!(read instanceof CanonicalEntry)) throw new Error('expected a canonical entry');
  return read;
}

describe('CanonicalEntry', () => {
  it('is decoded on first use, once', () => {
    const entry = canonicalEntry({ namespace: 'f', params: { args: [1] }, result: { b: 1, a: [2] }, promise: true });
    const parse = vi.spyOn(JSON, 'parse');
    expect(entry.result).toEqual({ b: 1, a: [2] });
    expect(entry.namespace).toBe('f');
    expect(entry.params).toEqual({ args: [1] });
    expect(entry.promise).toBe(true);
    expect(entry.tags).toBeUndefined();
    expect(parse).toHaveBeenCalledTimes(1);
    // The decoded values are kept: every use sees the same objects.
    expect(entry.result).toBe(entry.result);
  });

  it('answers its expiry without being decoded (the exit dump filters preloaded entries by it)', () => {
    const expiring = canonicalEntry({ namespace: 'f', params: null, result: 1, promise: false, expiresAt: 1.5e12 });
    const lasting = canonicalEntry({ namespace: 'f', params: null, result: 1, promise: false, tags: ['t'] });
    const parse = vi.spyOn(JSON, 'parse');
    expect(expiring.expiresAt).toBe(1.5e12);
    expect(lasting.expiresAt).toBeUndefined();
    expect(parse).not.toHaveBeenCalled();
    expect(lasting.tags).toEqual(['t']);
  });

  it('holds the text serializeDump writes for it, and becomes a stored entry like any other', () => {
    const written = { namespace: 'f', params: { args: ['x'] }, result: null, promise: false, expiresAt: 9 };
    const entry = canonicalEntry(written);
    expect(entry.text).toBe(
      '{\n        "expiresAt": 9,\n        "namespace": "f",\n        "params": {\n          "args": [\n' +
        '            "x"\n          ]\n        },\n        "promise": false,\n        "result": null\n      }',
    );
    expect(toStoredEntry(entry, 5)).toEqual({ ...written, createdAt: 5 });
  });

  it('keeps a __proto__ key as data when decoded', () => {
    const entry = canonicalEntry({
      namespace: 'f',
      params: JSON.parse('{"__proto__":{"polluted":1}}'),
      result: 1,
      promise: false,
    });
    expect(Object.hasOwn(entry.params as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
