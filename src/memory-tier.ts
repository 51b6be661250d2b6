import type { DeferredRecording } from './deferred-recording.js';

/** A recorded call held in memory. Entries double as nodes of the memoizer's LRU list. */
export interface MemoryEntry {
  readonly namespace: Namespace;
  readonly key: unknown;
  /** The encoded params (default `{ args }`), kept for dumps and persisted tiers. */
  readonly params: unknown;
  /** The encoded result (the raw result when there is no `resultEncoder`). */
  readonly result: unknown;
  /** The function returned a promise: hits return a promise too. */
  readonly isPromise: boolean;
  /** A settled promise handed to every hit of an async function without a decoder. */
  promise: Promise<unknown> | undefined;
  readonly createdAt: number;
  /** `Infinity` when the entry never expires. */
  expiresAt: number;
  tags: readonly string[] | undefined;
  previous: MemoryEntry | undefined;
  next: MemoryEntry | undefined;
}

/**
 * The entries of one function (or one `name`) on one memoizer. Wrappers resolve their namespace once, when they
 * are created, so a call pays for a single Map lookup.
 */
export class Namespace {
  /** The name shown in errors and stats: the `name` option, else the function's name, else `<anonymous>`. */
  readonly displayName: string;
  /** The name used in anything persisted; `undefined` when the function has no stable name. */
  readonly persistName: string | undefined;
  /** Set when persisting this namespace would mix two functions' results; the dump leaves it out. */
  conflict: string | undefined;
  readonly entries = new Map<unknown, MemoryEntry>();
  readonly pending = new Map<unknown, WeakRef<DeferredRecording>>();
  /** The function is async, or has returned a promise: only then may a miss wait for a remote tier. */
  returnsPromise = false;

  constructor(displayName: string, persistName: string | undefined) {
    this.displayName = displayName;
    this.persistName = persistName;
  }
}

/** Counters behind `stats()`. */
export interface TierCounters {
  hits: { memory: number; preload: number; disk: number; remote: number };
  misses: number;
  writes: number;
  evictions: number;
  expirations: number;
  errors: number;
}

export function createCounters(): TierCounters {
  return {
    hits: { memory: 0, preload: 0, disk: 0, remote: 0 },
    misses: 0,
    writes: 0,
    evictions: 0,
    expirations: 0,
    errors: 0,
  };
}

/**
 * The in-memory tier of one memoizer: namespaces of entries, with an optional global LRU bound (`maxEntries`)
 * kept as a doubly linked list through the entries themselves, so a hit moves a node without touching any Map.
 */
export class MemoryTier {
  readonly maxEntries: number;
  readonly counters: TierCounters;
  readonly now: () => number;
  size = 0;
  #head: MemoryEntry | undefined;
  #tail: MemoryEntry | undefined;
  readonly #namespaces = new Set<Namespace>();
  /** Dropped namespaces: a call still in flight when its instance was collected must not store into them. */
  readonly #dropped = new WeakSet<Namespace>();

  constructor(maxEntries: number, now: () => number, counters: TierCounters) {
    this.maxEntries = maxEntries;
    this.now = now;
    this.counters = counters;
  }

  get namespaces(): ReadonlySet<Namespace> {
    return this.#namespaces;
  }

  addNamespace(namespace: Namespace): void {
    this.#namespaces.add(namespace);
  }

  /** The live entry for `key`, or `undefined`; an expired entry is removed and counted. */
  get(namespace: Namespace, key: unknown): MemoryEntry | undefined {
    const entry = namespace.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== Number.POSITIVE_INFINITY && entry.expiresAt <= this.now()) {
      this.remove(entry);
      this.counters.expirations++;
      return undefined;
    }
    if (this.maxEntries !== Number.POSITIVE_INFINITY) this.#touch(entry);
    return entry;
  }

  /** The entry for `key` without expiring, touching or counting anything. */
  peek(namespace: Namespace, key: unknown): MemoryEntry | undefined {
    return namespace.entries.get(key);
  }

  insert(entry: MemoryEntry): void {
    if (this.#dropped.has(entry.namespace)) return;
    const { entries } = entry.namespace;
    const previous = entries.get(entry.key);
    if (previous !== undefined) this.#unlink(previous);
    else this.size++;
    entries.set(entry.key, entry);
    this.#append(entry);
    while (this.size > this.maxEntries && this.#head !== undefined) {
      this.remove(this.#head);
      this.counters.evictions++;
    }
  }

  remove(entry: MemoryEntry): void {
    const { entries } = entry.namespace;
    if (entries.get(entry.key) !== entry) return;
    entries.delete(entry.key);
    this.#unlink(entry);
    this.size--;
  }

  /**
   * Forgets a namespace and its entries. Every entry is also a node of the LRU list, which would keep it (and its
   * result) alive forever: per-instance decorator namespaces are dropped this way when their instance is collected.
   */
  dropNamespace(namespace: Namespace): void {
    for (const entry of namespace.entries.values()) {
      this.#unlink(entry);
      this.size--;
    }
    namespace.entries.clear();
    namespace.pending.clear();
    this.#namespaces.delete(namespace);
    this.#dropped.add(namespace);
  }

  /** Removes expired entries now; answers how many. */
  pruneExpired(): number {
    const now = this.now();
    let removed = 0;
    for (let entry = this.#head; entry !== undefined; ) {
      const next = entry.next;
      if (entry.expiresAt <= now) {
        this.remove(entry);
        removed++;
      }
      entry = next;
    }
    this.counters.expirations += removed;
    return removed;
  }

  clear(): void {
    for (const namespace of this.#namespaces) {
      namespace.entries.clear();
      namespace.pending.clear();
    }
    this.#head = undefined;
    this.#tail = undefined;
    this.size = 0;
  }

  /** Every entry, least recently used first. */
  *entries(): IterableIterator<MemoryEntry> {
    for (let entry = this.#head; entry !== undefined; entry = entry.next) yield entry;
  }

  #touch(entry: MemoryEntry): void {
    if (this.#tail === entry) return;
    this.#unlink(entry);
    this.#append(entry);
  }

  #append(entry: MemoryEntry): void {
    entry.previous = this.#tail;
    entry.next = undefined;
    if (this.#tail) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
  }

  #unlink(entry: MemoryEntry): void {
    if (entry.previous) entry.previous.next = entry.next;
    else if (this.#head === entry) this.#head = entry.next;
    if (entry.next) entry.next.previous = entry.previous;
    else if (this.#tail === entry) this.#tail = entry.previous;
    entry.previous = undefined;
    entry.next = undefined;
  }
}
