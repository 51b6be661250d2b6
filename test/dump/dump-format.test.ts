import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/codec.js';
import {
  countEntries,
  type DumpCollections,
  type DumpEntry,
  mergeCollections,
  parseDump,
  serializeDump,
  toDumpEntry,
  toStoredEntry,
} from '../../src/dump/dump-format.js';
import { DumpError } from '../../src/errors.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const KEY_C = '0123456789abcdef0123456789abcdef';

function entry(result: Json, extra: Partial<DumpEntry> = {}): DumpEntry {
  return { namespace: 'fn', params: { args: [1] }, result, promise: false, ...extra };
}

function collections(spec: Record<string, Record<string, DumpEntry>>): DumpCollections {
  return new Map(Object.entries(spec).map(([name, entries]) => [name, new Map(Object.entries(entries))]));
}

function parseError(text: string): DumpError {
  try {
    parseDump(text, '/tmp/dump.json');
  } catch (error) {
    if (error instanceof DumpError) return error;
    throw error;
  }
  throw new Error('expected parseDump to throw');
}

describe('serializeDump', () => {
  it('writes sorted keys, a 2-space indent, LF line ends, a trailing newline and the entry count', () => {
    const text = serializeDump({
      version: 1,
      collections: collections({
        zeta: { [KEY_B]: entry(2), [KEY_A]: entry(1, { promise: true }) },
        null: { [KEY_C]: entry(null, { expiresAt: 5, tags: ['t'] }) },
      }),
    });
    expect(text).toBe(`{
  "cache_size": 3,
  "collections": {
    "null": {
      "${KEY_C}": {
        "expiresAt": 5,
        "namespace": "fn",
        "params": {
          "args": [
            1
          ]
        },
        "promise": false,
        "result": null,
        "tags": [
          "t"
        ]
      }
    },
    "zeta": {
      "${KEY_A}": {
        "namespace": "fn",
        "params": {
          "args": [
            1
          ]
        },
        "promise": true,
        "result": 1
      },
      "${KEY_B}": {
        "namespace": "fn",
        "params": {
          "args": [
            1
          ]
        },
        "promise": false,
        "result": 2
      }
    }
  },
  "version": 1
}
`);
  });

  it('gives the same bytes whatever order the entries were added in', () => {
    const forward = collections({ one: { [KEY_A]: entry(1), [KEY_B]: entry(2) }, two: { [KEY_C]: entry(3) } });
    const backward = collections({ two: { [KEY_C]: entry(3) }, one: { [KEY_B]: entry(2), [KEY_A]: entry(1) } });
    expect(serializeDump({ version: 1, collections: forward })).toBe(
      serializeDump({ version: 1, collections: backward }),
    );
  });

  it('keeps the key order of recorded results, which is part of what a replay returns', () => {
    const text = serializeDump({ version: 1, collections: collections({ null: { [KEY_A]: entry({ b: 1, a: 2 }) } }) });
    const result = parseDump(text, 'x').collections.get('null')?.get(KEY_A)?.result;
    expect(Object.keys(result as object)).toEqual(['b', 'a']);
  });

  it('leaves empty collections out', () => {
    const text = serializeDump({ version: 1, collections: new Map([['empty', new Map()]]) });
    expect(JSON.parse(text)).toEqual({ cache_size: 0, collections: {}, version: 1 });
  });
});

describe('parseDump', () => {
  it('reads back what serializeDump wrote', () => {
    const written = collections({
      null: { [KEY_A]: entry({ $mt: 'D', v: 0 }, { promise: true }) },
      pad: { [KEY_B]: entry([1, 'two'], { expiresAt: 10, tags: ['x'] }) },
    });
    expect(parseDump(serializeDump({ version: 1, collections: written }), 'x')).toEqual({
      version: 1,
      collections: written,
    });
  });

  it('ignores a UTF-8 byte order mark and unknown fields', () => {
    const text = `\uFEFF{"version":1,"collections":{"null":{"${KEY_A}":{"namespace":"f","params":null,"result":1,"promise":false,"createdAt":1}}},"extra":true}`;
    expect(parseDump(text, 'x').collections.get('null')?.get(KEY_A)).toEqual({
      namespace: 'f',
      params: null,
      result: 1,
      promise: false,
    });
  });

  it.each([
    ['text that is not JSON', '{"version":', 'corrupt', 'it is not JSON'],
    ['an empty file', '', 'corrupt', 'it is not JSON'],
    ['an array', '[]', 'corrupt', 'the top level must be an object'],
    ['null', 'null', 'corrupt', 'the top level must be an object'],
    ['a file without a version (the seed format)', '{"collections":{}}', 'unsupported-version', 'no "version"'],
    ['a newer version', '{"version":2,"collections":{}}', 'unsupported-version', 'version 2 is not supported'],
    ['collections that are not an object', '{"version":1,"collections":[]}', 'corrupt', '"collections" must be'],
    ['a negative cache_size', '{"version":1,"cache_size":-1,"collections":{}}', 'corrupt', '"cache_size"'],
    [
      'a key that is not 32 hex characters',
      '{"version":1,"collections":{"null":{"abc":{}}}}',
      'corrupt',
      'collections["null"]["abc"]: keys must be 32 lowercase hex characters',
    ],
    [
      'an entry without `promise`',
      `{"version":1,"collections":{"null":{"${KEY_A}":{"namespace":"f","params":1,"result":1}}}}`,
      'corrupt',
      `collections["null"]["${KEY_A}"].promise must be a boolean`,
    ],
    [
      'an entry without a result',
      `{"version":1,"collections":{"null":{"${KEY_A}":{"namespace":"f","params":1,"promise":true}}}}`,
      'corrupt',
      '.result is missing',
    ],
  ])('rejects %s with a DumpError naming the file and the place', (_, text, reason, message) => {
    const error = parseError(text);
    expect(error.code).toBe('ERR_MEMOTAPE_DUMP');
    expect(error.reason).toBe(reason);
    expect(error.file).toBe('/tmp/dump.json');
    expect(error.message).toContain('/tmp/dump.json');
    expect(error.message).toContain(message);
  });

  it('keeps __proto__, constructor and prototype as data and never pollutes a prototype', () => {
    const text = `{"version":1,"collections":{
      "__proto__":{"${KEY_A}":{"namespace":"__proto__","params":{"__proto__":{"polluted":1}},"result":{"constructor":{"prototype":{"polluted":2}}},"promise":false}},
      "constructor":{"${KEY_B}":{"namespace":"f","params":null,"result":{"__proto__":{"polluted":3}},"promise":false}}}}`;
    const dump = parseDump(text, 'x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([...dump.collections.keys()].sort()).toEqual(['__proto__', 'constructor']);
    const first = dump.collections.get('__proto__')?.get(KEY_A);
    expect(Object.hasOwn(first?.params as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(first?.params)).toBe(Object.prototype);

    const rewritten = serializeDump(dump);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parseDump(rewritten, 'x')).toEqual(dump);
    expect(rewritten).toContain('"__proto__": {\n            "polluted": 1');
  });
});

describe('entries', () => {
  it('drop the recording time in their dump form, so re-recording gives the same bytes', () => {
    const stored = { namespace: 'f', params: null, result: 1, promise: false, createdAt: 1234 };
    expect(toDumpEntry(stored)).toEqual({ namespace: 'f', params: null, result: 1, promise: false });
    expect(toStoredEntry(toDumpEntry(stored), 99)).toEqual({ ...stored, createdAt: 99 });
  });

  it('merge with later sources winning for a shared key, and are counted over all collections', () => {
    const target = collections({ a: { [KEY_A]: entry('old'), [KEY_B]: entry('kept') } });
    mergeCollections(target, collections({ a: { [KEY_A]: entry('new') }, b: { [KEY_C]: entry('added') } }));
    expect(target.get('a')?.get(KEY_A)?.result).toBe('new');
    expect(target.get('a')?.get(KEY_B)?.result).toBe('kept');
    expect(countEntries(target)).toBe(3);
  });
});
