import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCanonicalDump, scannedCollections } from '../../src/dump/canonical-scan.js';
import { appendCollectionText } from '../../src/dump/collection-text.js';
import {
  type DumpCollection,
  type DumpCollections,
  type DumpEntry,
  serializeDump,
} from '../../src/dump/dump-format.js';
import { dumpCollections } from './arbitraries.js';
import { referenceSerializeDump } from './reference-serializer.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const KEY_C = 'c'.repeat(32);

const ENTRY: DumpEntry = { namespace: 'fn', params: { args: [1] }, result: 'r', promise: false };

function textOf(entries: DumpCollection): string {
  const parts: string[] = [];
  appendCollectionText(parts, entries);
  return parts.join('');
}

describe('the text of dump entries', () => {
  it('is byte for byte what the plain serializer writes', () => {
    fc.assert(
      fc.property(dumpCollections, (collections) => {
        const dump = { version: 1 as const, collections };
        expect(serializeDump(dump)).toBe(referenceSerializeDump(dump));
      }),
      { numRuns: 500 },
    );
  });

  it('is the same whether entries come decoded or as text read from a canonical file', () => {
    fc.assert(
      fc.property(dumpCollections, dumpCollections, (first, second) => {
        // Entries read from a file (CanonicalEntry) mixed with decoded ones, in the same collections.
        const read = scanCanonicalDump(serializeDump({ version: 1, collections: first }));
        if (read === undefined) return;
        const mixed: DumpCollections = scannedCollections(read);
        for (const [name, entries] of second) {
          const target = mixed.get(name) ?? new Map();
          for (const [key, entry] of entries) target.set(key, entry);
          mixed.set(name, target);
        }
        const dump = { version: 1 as const, collections: mixed };
        expect(serializeDump(dump)).toBe(referenceSerializeDump(dump));
      }),
      { numRuns: 300 },
    );
  });

  it('sorts entries by key and separates them with a comma and a line feed', () => {
    const text = textOf(
      new Map([
        [KEY_B, ENTRY],
        [KEY_A, { ...ENTRY, result: 'first' }],
      ]),
    );
    expect(text.startsWith(`      "${KEY_A}": {\n        "namespace": "fn",`)).toBe(true);
    expect(text).toContain(`\n      },\n      "${KEY_B}": {\n`);
    expect(text.endsWith('\n      }')).toBe(true);
  });

  it('leaves out the recording time of a stored entry', () => {
    const stored = { ...ENTRY, createdAt: 1234, staleAt: 99 };
    expect(textOf(new Map([[KEY_A, stored]]))).toBe(textOf(new Map([[KEY_A, ENTRY]])));
    expect(textOf(new Map([[KEY_A, stored]]))).not.toContain('1234');
  });

  it('writes keys that are not persisted keys quoted as JSON, in sorted order', () => {
    const text = textOf(
      new Map([
        ['b"', ENTRY],
        ['7', ENTRY],
        [KEY_C, ENTRY],
      ]),
    );
    expect(text.indexOf('      "7": {')).toBe(0);
    expect(text).toContain('\n      "b\\"": {\n');
    expect(text.indexOf('"b\\""')).toBeLessThan(text.indexOf(`"${KEY_C}"`));
  });

  it.each([
    ['params', { ...ENTRY, params: undefined as unknown as null }],
    ['result', { ...ENTRY, result: (() => 1) as unknown as null }],
  ])('refuses an entry whose %s is not JSON, rather than leaving the field out', (_, entry) => {
    expect(() => textOf(new Map([[KEY_A, entry]]))).toThrow(TypeError);
  });
});
