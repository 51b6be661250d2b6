import { describe, expect, it } from 'vitest';
import { Memoizer } from '../src/index.js';
import { internals } from '../src/memoizer.js';
import { ArgsParams, createEntry } from '../src/memory-entry.js';
import { Namespace } from '../src/memory-tier.js';

const namespace = new Namespace('fn', 'fn');
const times = { createdAt: 1_000 };

describe('MemoryEntry', () => {
  it('keeps default params as the bare arguments and gives back `{ args }` for every count', () => {
    for (const args of [[], [7], [{ a: 1 }], [1, 'two'], [1, 2, 3, 4]]) {
      const entry = createEntry(namespace, 'key', new ArgsParams(args), 'result', false, times, undefined);
      expect(entry.params).toEqual({ args });
    }
    const single = createEntry(namespace, 'key', new ArgsParams([7]), 'result', false, times, undefined);
    expect(single.storedParams).toBe(7);
    expect(single.defaultArgs).toEqual([7]);
    const list = [1, 'two'];
    expect(createEntry(namespace, 'key', new ArgsParams(list), 'result', false, times, undefined).defaultArgs).toBe(
      list,
    );
  });

  it('keeps params from a paramsEncoder as they are, even when they look like `{ args }`', () => {
    const encoded = { args: 'not an array' };
    const entry = createEntry(namespace, 'key', encoded, 'result', false, times, undefined);
    expect(entry.params).toBe(encoded);
    expect(entry.defaultArgs).toBeUndefined();
    expect(createEntry(namespace, 'key', undefined, 1, false, times, undefined).params).toBeUndefined();
  });

  it('has no lifetime object without expiry, stale time or tags, and answers never for both times', () => {
    const plain = createEntry(namespace, 'key', undefined, 1, true, times, undefined);
    expect(plain.lifetime).toBeUndefined();
    expect(plain.isPromise).toBe(true);
    expect(plain.expiresAt).toBe(Number.POSITIVE_INFINITY);
    expect(plain.staleAt).toBe(Number.POSITIVE_INFINITY);
    expect(plain.tags).toBeUndefined();
  });

  it('holds expiry, stale time and tags when any is given', () => {
    const expiring = createEntry(namespace, 'key', undefined, 1, false, { createdAt: 1, expiresAt: 50 }, undefined);
    expect([expiring.expiresAt, expiring.staleAt, expiring.isPromise]).toEqual([50, Number.POSITIVE_INFINITY, false]);
    const tagged = createEntry(namespace, 'key', undefined, 1, false, { createdAt: 1, staleAt: 9 }, ['user:1']);
    expect([tagged.expiresAt, tagged.staleAt, tagged.tags]).toEqual([Number.POSITIVE_INFINITY, 9, ['user:1']]);
  });

  it('exports the recorded arguments of memoized calls as `{ args }` params', () => {
    const memoizer = new Memoizer();
    const join = memoizer.memoize({ name: 'join' })((...parts: unknown[]) => parts.join('-'));
    join();
    join('a');
    join('a', 2, { deep: [true] });
    const exported = [...memoizer[internals].exportEntries()].map(({ entry }) => entry.params);
    expect(exported).toEqual([{ args: [] }, { args: ['a'] }, { args: ['a', 2, { deep: [true] }] }]);
  });
});
