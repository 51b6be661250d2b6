import { describe, expect, it } from 'vitest';
import { Memoizer } from '../src/index.js';
import { collectionView, remoteKeyOf } from '../src/remote-collection.js';
import type { RemoteInvalidation, RemoteStore, StoredEntry } from '../src/stores/store.js';
import { expectCollectionsApart } from './helpers/collections.js';

const KEY = '3f1c0a9be2d47f6a8c01e5b9d3a7f2e9';

/** A remote tier in one Map, with an invalidation feed. */
function fakeRemote() {
  const entries = new Map<string, StoredEntry>();
  const listeners = new Set<(invalidation: RemoteInvalidation) => void>();
  const remote: RemoteStore = {
    get: async (key) => entries.get(key),
    set: async (key, entry) => void entries.set(key, entry),
    delete: async (key, options) => {
      for (const listener of listeners) listener({ origin: options?.origin, keys: [key] });
      return entries.delete(key);
    },
    clear: async () => entries.clear(),
    singleFlight: async (key, request) => {
      const stored = entries.get(key);
      if (stored !== undefined) return { value: request.decode(stored), source: 'hit', entry: stored };
      const value = await request.run();
      const entry = request.encode(value);
      if (entry !== undefined) entries.set(key, entry);
      return { value, source: 'computed', entry };
    },
    onInvalidation: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { remote, entries };
}

describe('remoteKeyOf', () => {
  it('maps one key to a different 32-hex key per collection, the same in every call', () => {
    const billing = remoteKeyOf('billing', KEY);
    expect(billing).toMatch(/^[0-9a-f]{32}$/);
    expect(billing).not.toBe(KEY);
    expect(remoteKeyOf('shipping', KEY)).not.toBe(billing);
    expect(remoteKeyOf('billing', KEY)).toBe(billing);
  });

  it('is its own inverse, so invalidated remote keys map back to persisted keys', () => {
    expect(remoteKeyOf('billing', remoteKeyOf('billing', KEY))).toBe(KEY);
  });
});

describe('collectionView', () => {
  it('stores under the collection key and hands invalidations back under the persisted key', async () => {
    const { remote, entries } = fakeRemote();
    const view = collectionView(remote, 'billing');
    const entry: StoredEntry = { namespace: 'f', params: [], result: 1, promise: true, createdAt: 0 };
    await view.set(KEY, entry);
    expect([...entries.keys()]).toEqual([remoteKeyOf('billing', KEY)]);
    await expect(view.get(KEY)).resolves.toEqual(entry);
    await expect(collectionView(remote, 'shipping').get(KEY)).resolves.toBeUndefined();
    const heard: RemoteInvalidation[] = [];
    view.onInvalidation?.((invalidation) => heard.push(invalidation));
    await view.delete(KEY, { origin: 'me' });
    expect(heard).toEqual([{ origin: 'me', keys: [KEY] }]);
  });

  it('offers only the optional methods the store has', () => {
    const view = collectionView(fakeRemote().remote, 'billing');
    expect(view.refresh).toBeUndefined();
    expect(view.invalidateTags).toBeUndefined();
    expect(view.onInvalidation).toBeTypeOf('function');
  });

  it('gives memoizers of two collections on one store their own results for one function name', async () => {
    const { remote } = fakeRemote();
    await expectCollectionsApart(
      ['billing', new Memoizer({ subKey: 'billing', remote })],
      ['shipping', new Memoizer({ subKey: 'shipping', remote })],
    );
  });
});
