import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/stores/memory-store.js';
import type { StoredEntry } from '../../src/stores/store.js';

function manualClock(start = 1_000) {
  const clock = () => clock.now;
  clock.now = start;
  return clock;
}

const entry = (n: number, expiresAt?: number): StoredEntry => ({
  namespace: 'f',
  params: { args: [n] },
  result: n,
  promise: false,
  createdAt: 0,
  ...(expiresAt === undefined ? {} : { expiresAt }),
});

describe('MemoryStore', () => {
  it('gets what was set, deletes and clears', () => {
    const store = new MemoryStore();
    store.set('a', entry(1));
    expect(store.get('a')).toEqual(entry(1));
    expect(store.get('b')).toBeUndefined();
    expect(store.delete('a')).toBe(true);
    expect(store.delete('a')).toBe(false);
    store.set('a', entry(1));
    store.clear();
    expect(store.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries, a get counting as a use', () => {
    const store = new MemoryStore({ maxEntries: 2 });
    store.set('a', entry(1));
    store.set('b', entry(2));
    store.get('a');
    store.set('c', entry(3));
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toEqual(entry(1));
    expect(store.get('c')).toEqual(entry(3));
    expect(store.stats()).toMatchObject({ evictions: 1, size: 2 });
  });

  it('expires entries ttl milliseconds after they are set', () => {
    const clock = manualClock();
    const store = new MemoryStore({ ttl: 100, clock });
    store.set('a', entry(1));
    clock.now += 99;
    expect(store.get('a')).toBeDefined();
    clock.now += 1;
    expect(store.get('a')).toBeUndefined();
    expect(store.stats()).toMatchObject({ expirations: 1, size: 0 });
  });

  it("honours a stored entry's own expiresAt when it comes before the ttl", () => {
    const clock = manualClock();
    const store = new MemoryStore({ ttl: 1_000, clock });
    store.set('a', entry(1, clock.now + 10));
    clock.now += 10;
    expect(store.get('a')).toBeUndefined();
  });

  it('holds any kind of value', () => {
    const store = new MemoryStore<string>();
    store.set('a', 'text');
    expect(store.get('a')).toBe('text');
  });

  it('rejects invalid options with a TypeError naming the option', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(/`maxEntries`/);
    expect(() => new MemoryStore({ ttl: -1 })).toThrow(/`ttl`/);
    expect(() => new MemoryStore({ clock: 'now' as never })).toThrow(/`clock`/);
  });
});

describe('MemoryStore options', () => {
  it('refuses unknown options, naming them', () => {
    expect(() => new MemoryStore({ maxentries: 1 } as never)).toThrow(
      /Unknown option `maxentries` passed to MemoryStore/,
    );
  });
});
