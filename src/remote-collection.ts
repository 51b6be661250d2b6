import { sha256Hex } from './internal/sha256.js';
import type { InvalidationOptions, RemoteInvalidation, RemoteStore, StoredEntry } from './stores/store.js';

/*
 * A remote tier is shared by every memoizer that uses it, in every process; a persisted key only names a function
 * (its persisted name) and a call, not the memoizer's collection (`subKey` / `subDir`). Two collections may hold a
 * function of the same name, so each memoizer talks to the tier through a view of its collection, which stores the
 * persisted key `k` under the remote key `k XOR mask(collection)`, the mask being the first 128 bits of
 * SHA-256("memotape collection\0" + collection):
 *
 * - one collection in every process derives the same remote keys, so they share entries (the point of the tier);
 * - two collections never share one: the same call maps to different remote keys, and two different calls collide
 *   only when their persisted keys differ by exactly the XOR of the two masks, as unlikely as a 128-bit collision;
 * - the mapping is its own inverse, so the keys of an invalidation heard from another process (remote keys) turn back
 *   into this collection's persisted keys, which its local copies are indexed by. A key published by another
 *   collection turns into a key nobody here holds.
 *
 * Tags are left as they are: invalidating a tag reaches every collection that stored entries with it.
 */

const HEX_KEY = /^[0-9a-f]{32}$/;

/** The 128-bit mask of `collection`, as four 32-bit words. */
function maskOf(collection: string): Uint32Array {
  const hex = sha256Hex(`memotape collection\0${collection}`);
  const words = new Uint32Array(4);
  for (let index = 0; index < 4; index++) words[index] = Number.parseInt(hex.slice(index * 8, index * 8 + 8), 16);
  return words;
}

/** `hexKey` XOR `mask`, in 32 hex; anything that is not a 32-hex key passes unchanged (the store rejects it). */
function masked(hexKey: string, mask: Uint32Array): string {
  if (!HEX_KEY.test(hexKey)) return hexKey;
  let out = '';
  for (let index = 0; index < 4; index++) {
    const word = (Number.parseInt(hexKey.slice(index * 8, index * 8 + 8), 16) ^ (mask[index] as number)) >>> 0;
    out += word.toString(16).padStart(8, '0');
  }
  return out;
}

/**
 * The remote key a persisted key of `collection` is stored under (see the comment above); applied to a remote key,
 * it answers the persisted key back.
 *
 * @example
 * ```ts
 * remoteKeyOf('billing', '3f1c0a9be2d47f6a8c01e5b9d3a7f2e9'); // differs from remoteKeyOf('shipping', ...)
 * ```
 */
export function remoteKeyOf(collection: string, hexKey: string): string {
  return masked(hexKey, maskOf(collection));
}

/**
 * The view of `remote` a memoizer of `collection` uses: the same tier, with its keys mapped to the collection's
 * remote keys (and invalidations heard mapped back), so that collections never share entries.
 *
 * @example
 * ```ts
 * const view = collectionView(new RedisStore({ url }), 'billing');
 * await view.get(hexKey); // reads the remote key of hexKey in the 'billing' collection
 * ```
 */
export function collectionView(remote: RemoteStore, collection: string): RemoteStore {
  const mask = maskOf(collection);
  const keyOf = (hexKey: string): string => masked(hexKey, mask);
  const view: RemoteStore = {
    get: (key) => remote.get(keyOf(key)),
    set: (key, entry: StoredEntry) => remote.set(keyOf(key), entry),
    delete: (key, options?: InvalidationOptions) => remote.delete(keyOf(key), options),
    clear: () => remote.clear(),
    get defaultTtl() {
      return remote.defaultTtl;
    },
    singleFlight: (key, request) => remote.singleFlight(keyOf(key), request),
  };
  // The optional methods exist on the view only when the store has them: memoizers test for them.
  const full = remote as Required<RemoteStore>;
  if (remote.invalidateTags !== undefined) view.invalidateTags = (tags, options) => full.invalidateTags(tags, options);
  if (remote.onInvalidation !== undefined) {
    view.onInvalidation = (listener) =>
      full.onInvalidation((invalidation: RemoteInvalidation) =>
        listener(
          invalidation.keys === undefined ? invalidation : { ...invalidation, keys: invalidation.keys.map(keyOf) },
        ),
      );
  }
  if (remote.refresh !== undefined) view.refresh = (key, request) => full.refresh(keyOf(key), request);
  if (remote.stats !== undefined) view.stats = () => full.stats();
  return view;
}
