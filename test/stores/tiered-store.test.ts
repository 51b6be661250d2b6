import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../src/stores/memory-store.js';
import type { Store } from '../../src/stores/store.js';
import { type StoreTier, TieredStore } from '../../src/stores/tiered-store.js';

type Tier = StoreTier<string>;

/** A store that answers through promises, like a remote tier. */
function asyncStore(inner = new MemoryStore<string>()): Store<string> & { inner: MemoryStore<string> } {
  return {
    inner,
    get: async (key) => inner.get(key),
    set: async (key, value) => inner.set(key, value),
    delete: async (key) => inner.delete(key),
    clear: async () => inner.clear(),
  };
}

function failingStore(error = new Error('tier down')): Store<string> {
  return {
    get: () => {
      throw error;
    },
    set: () => {
      throw error;
    },
    delete: () => Promise.reject(error),
    clear: () => Promise.reject(error),
  };
}

function tiers() {
  const first = new MemoryStore<string>();
  const second = new MemoryStore<string>();
  const readOnly = new MemoryStore<string>();
  const list: Tier[] = [
    { name: 'first', store: first },
    { name: 'readOnly', store: readOnly, readOnly: true },
    { name: 'second', store: second },
  ];
  return { first, second, readOnly, list };
}

describe('TieredStore lookups', () => {
  it('reads through the tiers in order and reports which tier hit', () => {
    const { first, second, list } = tiers();
    const store = new TieredStore(list);
    second.set('k', 'from second');
    expect(store.lookupSync('k')).toMatchObject({ tier: { name: 'second' }, index: 2, value: 'from second' });
    first.set('k', 'from first');
    expect(store.lookupSync('k')).toMatchObject({ tier: { name: 'first' }, value: 'from first' });
    expect(store.get('k')).toBe('from first');
    expect(store.lookupSync('missing')).toBeUndefined();
  });

  it('fills the writable tiers above a hit, never a read-only one', () => {
    const { first, second, readOnly, list } = tiers();
    second.set('k', 'v');
    new TieredStore(list).lookupSync('k');
    expect(first.get('k')).toBe('v');
    expect(readOnly.get('k')).toBeUndefined();
  });

  it('skips answers the accept callback refuses, and does not fill from them', () => {
    const { first, second, list } = tiers();
    first.set('k', 'stale');
    second.set('k', 'fresh');
    const hit = new TieredStore(list).lookupSync('k', (value) => value !== 'stale');
    expect(hit?.tier.name).toBe('second');
    expect(first.get('k')).toBe('fresh');
  });

  it('skips an asynchronous tier in lookupSync, and waits for it in lookup', async () => {
    const remote = asyncStore();
    remote.inner.set('k', 'remote');
    const local = new MemoryStore<string>();
    const store = new TieredStore([
      { name: 'local', store: local },
      { name: 'remote', store: remote },
    ]);
    expect(store.lookupSync('k')).toBeUndefined();
    const pending = store.lookup('k');
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({ tier: { name: 'remote' }, value: 'remote' });
    expect(local.get('k')).toBe('remote');
    expect(store.lookup('k')).toMatchObject({ tier: { name: 'local' } });
  });

  it('answers synchronously while every tier asked answers synchronously', () => {
    const { first, list } = tiers();
    first.set('k', 'v');
    const store = new TieredStore(list);
    expect(store.get('k')).toBe('v');
    expect(store.set('k', 'w')).toBeUndefined();
    expect(store.delete('k')).toBe(true);
    expect(store.clear()).toBeUndefined();
  });
});

describe('TieredStore writes', () => {
  it('writes, deletes and clears every writable tier', async () => {
    const { first, second, readOnly, list } = tiers();
    const remote = asyncStore();
    const store = new TieredStore([...list, { name: 'remote', store: remote }]);
    await store.set('k', 'v');
    expect([first.get('k'), readOnly.get('k'), second.get('k'), remote.inner.get('k')]).toEqual([
      'v',
      undefined,
      'v',
      'v',
    ]);
    readOnly.set('k', 'kept');
    expect(await store.delete('k')).toBe(true);
    expect([first.get('k'), readOnly.get('k'), second.get('k'), remote.inner.get('k')]).toEqual([
      undefined,
      'kept',
      undefined,
      undefined,
    ]);
    await store.set('x', 'v');
    await store.clear();
    expect(second.size + first.size + remote.inner.size).toBe(0);
  });

  it('reports a failing tier to onError and carries on with the others', async () => {
    const onError = vi.fn();
    const good = new MemoryStore<string>();
    const store = new TieredStore(
      [
        { name: 'broken', store: failingStore() },
        { name: 'good', store: good },
      ],
      { onError },
    );
    store.set('k', 'v');
    expect(good.get('k')).toBe('v');
    expect(store.lookupSync('k')?.tier.name).toBe('good');
    expect(await store.delete('k')).toBe(true);
    await store.clear();
    // set, get, the fill of the broken tier above the hit, delete, clear
    expect(onError.mock.calls.map(([tier]) => tier.name)).toEqual(['broken', 'broken', 'broken', 'broken', 'broken']);
  });

  it('reports a rejected read skipped by lookupSync', async () => {
    const onError = vi.fn();
    const store = new TieredStore(
      [{ name: 'remote', store: { ...asyncStore(), get: () => Promise.reject(new Error('timeout')) } }],
      {
        onError,
      },
    );
    expect(store.lookupSync('k')).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ name: 'remote' }), new Error('timeout'));
  });

  it('sees a tier pushed onto its array later', () => {
    const list: Tier[] = [];
    const store = new TieredStore(list);
    const late = new MemoryStore<string>();
    late.set('k', 'v');
    list.push({ name: 'late', store: late });
    expect(store.get('k')).toBe('v');
  });
});

describe('TieredStore input checks', () => {
  it('refuses a tier that is not a store, naming its index, and unknown options', () => {
    const tier = { name: 'memory', store: new MemoryStore() };
    expect(() => new TieredStore([tier, 1 as never])).toThrow(/`tiers\[1\]` to be a tier/);
    expect(() => new TieredStore([tier, { name: 'x', store: {} } as never])).toThrow(/`tiers\[1\]` to be a tier/);
    expect(() => new TieredStore([tier], { onerror: () => {} } as never)).toThrow(
      /Unknown option `onerror` passed to TieredStore/,
    );
  });
});
