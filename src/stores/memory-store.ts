import { validateFunctionOption, validateMaxEntries, validateOptionsObject, validateTtl } from '../options.js';
import type { Store, StoredEntry } from './store.js';

const MEMORY_STORE_OPTION_NAMES: ReadonlySet<string> = new Set(['maxEntries', 'ttl', 'clock']);

/**
 * Options of {@link MemoryStore}. All optional.
 *
 * @example
 * ```ts
 * new MemoryStore({ maxEntries: 10_000, ttl: 60_000 });
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * The most entries held; setting one more evicts the least recently used (a `get` counts as a use).
   * @default Infinity
   */
  readonly maxEntries?: number | undefined;
  /**
   * Milliseconds an entry lives after it is set. A value with its own numeric `expiresAt` (a {@link StoredEntry})
   * expires at the earlier of the two.
   * @default undefined (entries never expire on their own)
   */
  readonly ttl?: number | undefined;
  /**
   * The clock for expiry, in ms since the epoch; inject one in tests instead of sleeping.
   * @default Date.now
   */
  readonly clock?: (() => number) | undefined;
}

/**
 * What a {@link MemoryStore} did since it was created.
 *
 * @example
 * ```ts
 * console.log(store.stats().evictions);
 * ```
 */
export interface MemoryStoreStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly expirations: number;
  /** Entries held now. */
  readonly size: number;
}

interface Slot<V> {
  readonly value: V;
  readonly expiresAt: number;
}

function ownExpiry(value: unknown): number {
  const expiresAt = (value as { expiresAt?: unknown } | null | undefined)?.expiresAt;
  return typeof expiresAt === 'number' ? expiresAt : Number.POSITIVE_INFINITY;
}

/**
 * A synchronous {@link Store} over a `Map`, with optional LRU (`maxEntries`) and TTL. A tier for tests, for sharing
 * entries between memoizers in one process, or in front of slower stores in a {@link TieredStore}. The Map keeps
 * insertion order, so moving a used entry to the end makes its first entry the least recently used.
 *
 * @example
 * ```ts
 * import { MemoryStore } from 'memotape';
 * const store = new MemoryStore({ maxEntries: 2 });
 * store.set('a', entryA);
 * store.set('b', entryB);
 * store.get('a');         // a is now the most recently used
 * store.set('c', entryC); // evicts b
 * ```
 */
export class MemoryStore<V = StoredEntry> implements Store<V> {
  /** The most entries held (`Infinity`: no limit). */
  readonly maxEntries: number;
  readonly #ttl: number | undefined;
  readonly #clock: () => number;
  readonly #slots = new Map<string, Slot<V>>();
  readonly #counters = { hits: 0, misses: 0, evictions: 0, expirations: 0 };

  constructor(options: MemoryStoreOptions = {}) {
    validateOptionsObject(options, MEMORY_STORE_OPTION_NAMES, 'MemoryStore');
    validateFunctionOption(options.clock, 'clock');
    this.maxEntries = validateMaxEntries(options.maxEntries, 'maxEntries');
    this.#ttl = validateTtl(options.ttl, 'ttl');
    this.#clock = options.clock ?? Date.now;
  }

  /** Entries held now (expired ones included until they are looked up or set over). */
  get size(): number {
    return this.#slots.size;
  }

  /** The live value of `key`; an expired one is removed and reads as `undefined`. */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      this.#counters.misses++;
      return undefined;
    }
    if (slot.expiresAt <= this.#clock()) {
      this.#slots.delete(key);
      this.#counters.expirations++;
      this.#counters.misses++;
      return undefined;
    }
    if (this.maxEntries !== Number.POSITIVE_INFINITY) {
      this.#slots.delete(key);
      this.#slots.set(key, slot);
    }
    this.#counters.hits++;
    return slot.value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond `maxEntries`. */
  set(key: string, value: V): void {
    const expiresAt = Math.min(
      this.#ttl === undefined ? Number.POSITIVE_INFINITY : this.#clock() + this.#ttl,
      ownExpiry(value),
    );
    this.#slots.delete(key);
    this.#slots.set(key, { value, expiresAt });
    for (const oldest of this.#slots.keys()) {
      if (this.#slots.size <= this.maxEntries) break;
      this.#slots.delete(oldest);
      this.#counters.evictions++;
    }
  }

  /** Removes `key`; answers whether it was there. */
  delete(key: string): boolean {
    return this.#slots.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#slots.clear();
  }

  /** Counts since the store was created. */
  stats(): MemoryStoreStats {
    return { ...this.#counters, size: this.#slots.size };
  }
}
