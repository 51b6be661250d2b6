import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalEntry } from '../../src/dump/canonical-entry.js';
import { MAX_DEPTH } from '../../src/dump/canonical-json.js';
import { ENTRY_TEXT_OFFSET, scanCanonicalDump, scannedCollections } from '../../src/dump/canonical-scan.js';
import {
  type DumpCollections,
  type DumpEntry,
  mergeCollections,
  parseDump,
  serializeDump,
  serializeMergedDump,
} from '../../src/dump/dump-format.js';
import { dumpCollections, hasLoneSurrogate, mutated } from './arbitraries.js';
import { referenceSerializeDump } from './reference-serializer.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

/** Collections as plain data, so that lazily decoded entries compare equal to parsed ones. */
function plain(collections: DumpCollections): Record<string, Record<string, DumpEntry>> {
  const out: Record<string, Record<string, DumpEntry>> = {};
  for (const [name, entries] of collections) {
    const collection: Record<string, DumpEntry> = {};
    for (const [key, { namespace, params, result, promise, expiresAt, tags }] of entries) {
      collection[key] = {
        namespace,
        params,
        result,
        promise,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(tags === undefined ? {} : { tags }),
      };
    }
    Object.defineProperty(out, name, { value: collection, enumerable: true });
  }
  return out;
}

function hasLoneSurrogateAnywhere(collections: DumpCollections): boolean {
  for (const [name, entries] of collections) {
    if (hasLoneSurrogate(name)) return true;
    for (const entry of entries.values()) if (hasLoneSurrogate({ ...entry })) return true;
  }
  return false;
}

function dump(entries: Record<string, DumpEntry>, name = 'null'): string {
  return serializeDump({ version: 1, collections: new Map([[name, new Map(Object.entries(entries))]]) });
}

const ENTRY: DumpEntry = { namespace: 'fn', params: { args: [1] }, result: { id: 1 }, promise: false };

describe('scanCanonicalDump', () => {
  it('indexes what serializeDump writes, and reads the same entries as parseDump', () => {
    fc.assert(
      fc.property(dumpCollections, (collections) => {
        const text = serializeDump({ version: 1, collections });
        const scanned = scanCanonicalDump(text);
        // Escaped lone surrogates are left to the ordinary parser.
        expect(scanned === undefined).toBe(hasLoneSurrogateAnywhere(collections));
        if (scanned === undefined) return;
        const entries = scannedCollections(scanned);
        expect(plain(entries)).toEqual(plain(parseDump(text, 'x').collections));
        expect(serializeDump({ version: 1, collections: entries })).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a changed text only when copying its entries writes what parsing and re-serializing it would', () => {
    const candidates = dumpCollections.chain((collections) => mutated(serializeDump({ version: 1, collections })));
    let accepted = 0;
    fc.assert(
      fc.property(candidates, (text) => {
        const scanned = scanCanonicalDump(text);
        if (scanned === undefined) return;
        accepted++;
        const parsed = parseDump(text, 'x').collections;
        const entries = scannedCollections(scanned);
        expect(plain(entries)).toEqual(plain(parsed));
        expect(serializeDump({ version: 1, collections: entries })).toBe(
          referenceSerializeDump({ version: 1, collections: parsed }),
        );
      }),
      { numRuns: 3000 },
    );
    // The property is not vacuous: some changed texts (a digit, a letter in a string) are still canonical.
    expect(accepted).toBeGreaterThan(20);
  });

  it('keeps, in a merge, the entries the new ones do not replace, as serializing the merged contents would', () => {
    fc.assert(
      fc.property(dumpCollections, dumpCollections, (old, added) => {
        const text = serializeDump({ version: 1, collections: old });
        const scanned = scanCanonicalDump(text);
        if (scanned === undefined) return;
        const expected = parseDump(text, 'x').collections;
        mergeCollections(expected, added);
        expect(serializeMergedDump(added, scanned)).toBe(referenceSerializeDump({ version: 1, collections: expected }));
      }),
      { numRuns: 300 },
    );
  });

  it('gives where each entry is, in key order', () => {
    const text = dump({ [KEY_B]: ENTRY, [KEY_A]: { ...ENTRY, expiresAt: 5 } });
    const collection = scanCanonicalDump(text)?.collections.get('null');
    expect(collection?.keys).toEqual([KEY_A, KEY_B]);
    const [start, end] = [collection!.starts[0]!, collection!.ends[0]!];
    expect(text.slice(start, start + ENTRY_TEXT_OFFSET)).toBe(`      "${KEY_A}": `);
    expect(JSON.parse(text.slice(start + ENTRY_TEXT_OFFSET, end))).toEqual({ ...ENTRY, expiresAt: 5 });
    const entry = scannedCollections(scanCanonicalDump(text)!).get('null')?.get(KEY_A);
    expect(entry).toBeInstanceOf(CanonicalEntry);
  });

  it('ignores a UTF-8 byte order mark, and keeps empty collections as parseDump does', () => {
    const text = `\uFEFF{\n  "cache_size": 0,\n  "collections": {\n    "empty": {}\n  },\n  "version": 1\n}\n`;
    expect(scannedCollections(scanCanonicalDump(text)!)).toEqual(parseDump(text, 'x').collections);
  });

  it.each([
    ['compact JSON', `{"cache_size":1,"collections":{"null":{"${KEY_A}":${JSON.stringify(ENTRY)}}},"version":1}`],
    ['an unknown field', dump({ [KEY_A]: ENTRY }).replace('"promise"', '"createdAt": 1,\n        "promise"')],
    [
      'fields out of order',
      dump({ [KEY_A]: ENTRY }).replace(/("params": [\s\S]*?),\n(\s+"promise": false)/, '$2,\n$1'),
    ],
    ['unsorted keys', dump({ [KEY_A]: ENTRY, [KEY_B]: ENTRY }).replace(KEY_A, 'c'.repeat(32))],
    ['a repeated key', dump({ [KEY_A]: ENTRY, [KEY_B]: ENTRY }).replace(KEY_B, KEY_A)],
    ['an uppercase key', dump({ [KEY_A]: ENTRY }).replace(KEY_A, 'A'.repeat(32))],
    ['an empty namespace', dump({ [KEY_A]: { ...ENTRY, namespace: '' } })],
    ['a string where promise is a boolean', dump({ [KEY_A]: ENTRY }).replace('"promise": false', '"promise": "no"')],
    [
      'expiresAt that is not a number',
      dump({ [KEY_A]: ENTRY }).replace('{\n        "namespace"', '{\n        "expiresAt": null,\n        "namespace"'),
    ],
    ['a tag that is not a string', dump({ [KEY_A]: { ...ENTRY, tags: ['t'] } }).replace('"t"', '1')],
    ['another version', dump({ [KEY_A]: ENTRY }).replace('"version": 1', '"version": 2')],
    ['a negative cache_size', dump({ [KEY_A]: ENTRY }).replace('"cache_size": 1', '"cache_size": -1')],
    [
      'collections out of order',
      serializeDump({
        version: 1,
        collections: new Map([
          ['a', new Map([[KEY_A, ENTRY]])],
          ['b', new Map([[KEY_A, ENTRY]])],
        ]),
      }).replace('"a": {', '"c": {'),
    ],
    ['no final line feed', dump({ [KEY_A]: ENTRY }).trimEnd()],
    ['CRLF line ends', dump({ [KEY_A]: ENTRY }).replaceAll('\n', '\r\n')],
  ])('leaves %s to the ordinary parser', (_, text) => {
    expect(scanCanonicalDump(text)).toBeUndefined();
  });

  it('leaves an entry nested too deep for the scanner to the ordinary parser, which reads it', () => {
    const deep = JSON.parse(`${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`) as DumpEntry['result'];
    const text = dump({ [KEY_A]: { ...ENTRY, result: deep } });
    expect(scanCanonicalDump(text)).toBeUndefined();
    expect(parseDump(text, 'x').collections.get('null')?.get(KEY_A)?.result).toEqual(deep);
  });
});
