import { describe, expect, it, vi } from 'vitest';
import { ArgsParams, createEntry, type EntryTimes, Namespace } from '../src/memory-tier.js';
import { exportEntries, toStoredEntry } from '../src/stored-entry.js';
import { captureWarnings } from './helpers/warnings.js';

const namespace = new Namespace('fetchItem', 'fetchItem');

function entryOf(result: unknown, times: EntryTimes = { createdAt: 1_000 }, tags?: readonly string[]) {
  return createEntry(
    namespace,
    `key-${String(Math.random())}`,
    new ArgsParams([{ id: 1 }]),
    result,
    false,
    times,
    tags,
  );
}

function exported(entries: ReturnType<typeof entryOf>[], now = 2_000) {
  const unstorable = vi.fn();
  return { list: [...exportEntries(entries, now, 'null', unstorable)], unstorable };
}

const warnings = captureWarnings();

describe('toStoredEntry', () => {
  it('encodes params and result into copies, with the entry’s times and tags', () => {
    const result = { name: 'x', when: new Date(5) };
    const entry = entryOf(result, { createdAt: 1_000, expiresAt: 9_000, staleAt: 5_000 }, ['t']);
    const { key, entry: stored } = toStoredEntry(entry);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(stored).toEqual({
      namespace: 'fetchItem',
      params: { args: [{ id: 1 }] },
      result: { name: 'x', when: { $mt: 'D', v: 5 } },
      promise: false,
      createdAt: 1_000,
      expiresAt: 9_000,
      staleAt: 5_000,
      tags: ['t'],
    });
    expect(Object.keys(stored)).toEqual([
      'namespace',
      'params',
      'result',
      'promise',
      'createdAt',
      'expiresAt',
      'staleAt',
      'tags',
    ]);
  });

  it('leaves out the times an entry does not have', () => {
    expect(Object.keys(toStoredEntry(entryOf('r')).entry)).toEqual([
      'namespace',
      'params',
      'result',
      'promise',
      'createdAt',
    ]);
  });
});

describe('exportEntries', () => {
  it('gives what toStoredEntry gives, handing plain JSON results over without copying them', () => {
    const plain = { id: 1, tags: ['a'], score: 1 / 7 };
    const entry = entryOf(plain, { createdAt: 1_000, expiresAt: 9_000 }, ['t']);
    const [only] = exported([entry]).list;
    expect(only).toEqual(toStoredEntry(entry));
    expect(only?.entry.result).toBe(plain);
    expect(toStoredEntry(entry).entry.result).not.toBe(plain);
  });

  it('exports the params of every argument form as toStoredEntry does', () => {
    const forms = [
      new ArgsParams([]),
      new ArgsParams([7]),
      new ArgsParams([{ id: 1 }, 'two', [3]]),
      new ArgsParams([new Date(5), undefined]),
      new ArgsParams([Number.NaN]),
      { custom: ['encoder', 1] },
    ];
    for (const params of forms) {
      const entry = createEntry(namespace, 'k', params, 1, false, { createdAt: 1_000 }, undefined);
      const [only] = exported([entry]).list;
      expect(only?.entry.params).toEqual(toStoredEntry(entry).entry.params);
    }
  });

  it('encodes other results, reading a getter once', () => {
    let reads = 0;
    const withGetter = {
      get value() {
        reads++;
        return reads;
      },
    };
    const [dated, counted] = exported([entryOf({ when: new Date(5) }), entryOf(withGetter)]).list;
    expect(dated?.entry.result).toEqual({ when: { $mt: 'D', v: 5 } });
    expect(counted?.entry.result).toEqual({ value: 1 });
    expect(reads).toBe(1);
  });

  it('leaves out expired entries, and unencodable ones with a warning and a count', () => {
    const { list, unstorable } = exported([
      entryOf('expired', { createdAt: 1_000, expiresAt: 1_500 }),
      entryOf(() => 1),
      entryOf('kept'),
    ]);
    expect(list.map(({ entry }) => entry.result)).toEqual(['kept']);
    expect(unstorable).toHaveBeenCalledTimes(1);
    expect(warnings.spy().mock.calls.map(([, options]) => (options as { code: string }).code)).toEqual([
      'MEMOTAPE_UNSTORABLE_RESULT',
    ]);
  });

  it('warns once per function with the number of entries left out', () => {
    const { unstorable } = exported([entryOf(() => 1), entryOf(() => 2), entryOf(() => 3), entryOf('kept')]);
    expect(unstorable).toHaveBeenCalledTimes(3);
    const messages = warnings.spy().mock.calls.map(([message]) => String(message));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/3 entries of \S+ were left out of the dump: .+ \(the first reason\)/);
  });
});
