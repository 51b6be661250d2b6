import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCanonicalDump, scannedCollections } from '../../src/dump/canonical-scan.js';
import { CollectionText } from '../../src/dump/collection-text.js';
import {
  type DumpCollection,
  type DumpCollections,
  type DumpEntry,
  mergeCollections,
  parseDump,
  serializeDump,
  serializeMergedDump,
} from '../../src/dump/dump-format.js';
import { dumpCollections } from './arbitraries.js';
import { referenceSerializeDump } from './reference-serializer.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const KEY_C = 'c'.repeat(32);

const ENTRY: DumpEntry = { namespace: 'fn', params: { args: [1] }, result: 'r', promise: false };

function textOf(entries: DumpCollection): string {
  const parts: string[] = [];
  new CollectionText(entries).write({ write: (text) => parts.push(text) });
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

  describe('for collections of thousands of entries (several JSON.stringify groups)', () => {
    /** A 32-hex key from a number, in an order unrelated to the number's. */
    function keyOf(index: number): string {
      return ((index * 2654435761) % 2 ** 32).toString(16).padStart(8, '0').repeat(4);
    }

    /** An entry whose result holds other entries' keys: searching for a key's line must not stop at them. */
    function entryOf(index: number, variant: string): DumpEntry {
      return {
        namespace: 'fn',
        params: { args: [index] },
        result: { variant, neighbours: [keyOf(index + 1), `\n      "${keyOf(index + 2)}": {`] },
        promise: index % 3 === 0,
        ...(index % 5 === 0 ? { expiresAt: index } : {}),
      };
    }

    /** Keys whose first 7 digits (the number they are first ordered by) are the same. */
    const twins = ['1234567a', '1234567b', '1234567c'].map((start) => start.padEnd(32, '0'));

    function collectionOf(indices: number[], variant: string): DumpCollection {
      const entries: DumpCollection = new Map(indices.map((index) => [keyOf(index), entryOf(index, variant)]));
      for (const [at, key] of twins.entries())
        if (variant !== 'copied' && at !== (variant === 'old' ? 1 : 2)) entries.set(key, entryOf(at, variant));
      return entries;
    }

    const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, at) => from + at);

    it('merges new, decoded and copied entries as serializing the merged contents does', () => {
      const old = new Map([['null', collectionOf(range(0, 3000), 'old')]]);
      const text = serializeDump({ version: 1, collections: old });
      const scanned = scanCanonicalDump(text)!;
      // New entries interleave with the old ones (and replace some); a few come as text from another file.
      const copied = scannedCollections(
        scanCanonicalDump(
          serializeDump({ version: 1, collections: new Map([['null', collectionOf([1, 2501, 7000], 'copied')]]) }),
        )!,
      ).get('null')!;
      const added = collectionOf([...range(2000, 5000), ...range(0, 3000).filter((index) => index % 7 === 0)], 'new');
      for (const [key, entry] of copied) added.set(key, entry);
      const expected = parseDump(text, 'x').collections;
      mergeCollections(expected, new Map([['null', added]]));
      const written = serializeMergedDump(new Map([['null', added]]), scanned);
      expect(written).toBe(referenceSerializeDump({ version: 1, collections: expected }));
      expect(new CollectionText(added, { text, scanned: scanned.collections.get('null')! }).size).toBe(
        expected.get('null')!.size,
      );
    });

    it('finds where new entries end when their text holds the next entry’s key, or the key needs escaping', () => {
      // Old and new entries alternate, so that every run of new ones is cut at the next new entry's line.
      const keys = range(0, 2400)
        .map(keyOf)
        .concat(['5"'.padEnd(32, '0'), '9\\'.padEnd(32, '1')])
        .sort();
      const old: DumpCollection = new Map();
      const newKeys: string[] = [];
      for (const [at, key] of keys.entries()) {
        if (at % 3 === 0 && !key.includes('"') && !key.includes('\\')) old.set(key, entryOf(at, 'old'));
        else newKeys.push(key);
      }
      // Each new entry holds the next new key, in a string and as a line of a dump would: only the real line counts.
      const added: DumpCollection = new Map(
        newKeys.map((key, at) => {
          const next = newKeys[at + 1] ?? '';
          return [key, { ...entryOf(at, 'new'), result: [next, `\n      "${next}": {`] }];
        }),
      );
      const text = serializeDump({ version: 1, collections: new Map([['null', old]]) });
      const expected = new Map([['null', new Map([...old, ...added])]]);
      expect(serializeMergedDump(new Map([['null', added]]), scanCanonicalDump(text)!)).toBe(
        referenceSerializeDump({ version: 1, collections: expected }),
      );
    });

    it('writes short keys (array indices to an object), and `__proto__`, in key order', () => {
      const entries: DumpCollection = collectionOf(range(0, 2100), 'new');
      for (const key of ['0', '12', '__proto__', '4294967294']) entries.set(key, ENTRY);
      const dump = { version: 1 as const, collections: new Map([['null', entries]]) };
      expect(serializeDump(dump)).toBe(referenceSerializeDump(dump));
    });
  });
});
