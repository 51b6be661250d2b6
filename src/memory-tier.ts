import type { DeferredRecording } from './deferred-recording.js';
import type { MemoryEntry } from './memory-entry.js';

export { ArgsParams, createEntry, type EntryTimes, MemoryEntry } from './memory-entry.js';

/** Calls of one namespace, for `stats()`. */
export interface CallCounts {
  /** Hits answered from memory. */
  memoryHits: number;
  /** Hits answered from a persisted tier (preload, disk, remote). */
  persistedHits: number;
  misses: number;
  /** Total milliseconds of the timed misses (successful computations of `memoize` misses). */
  missTime: number;
  timedMisses: number;
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
  /**
   * Per-function counts behind `stats()`. Memory hits are counted here rather than per memoizer: one increment on the
   * hit path, on a small object of its own (a wrapper holds it directly; measured faster than a field of this class).
   */
  readonly calls: CallCounts = { memoryHits: 0, persistedHits: 0, misses: 0, missTime: 0, timedMisses: 0 };
  /** Keys whose stale entry is being refreshed (`staleWhileRevalidate`): one refresh per key at a time. */
  refreshing: Set<unknown> | undefined = undefined;

  constructor(displayName: string, persistName: string | undefined) {
    this.displayName = displayName;
    this.persistName = persistName;
  }
}

/**
 * Counters behind `stats()`. Memory hits are counted per namespace; `hits.memory` here holds those of namespaces
 * already dropped.
 */
export interface TierCounters {
  hits: { memory: number; preload: number; disk: number; remote: number };
  misses: number;
  writes: number;
  evictions: number;
  expirations: number;
  errors: number;
  /** Background refreshes started by `staleWhileRevalidate`, and those that failed. */
  refreshes: number;
  refreshFailures: number;
  /** Entries removed by `invalidate` and `invalidateTags` (memory entries, and disk entries where counted). */
  invalidations: number;
}

export function createCounters(): TierCounters {
  return {
    hits: { memory: 0, preload: 0, disk: 0, remote: 0 },
    misses: 0,
    writes: 0,
    evictions: 0,
    expirations: 0,
    errors: 0,
    refreshes: 0,
    refreshFailures: 0,
    invalidations: 0,
  };
}

/** The per-function counts of namespaces that were dropped (collected decorator instances), by display name. */
export interface RetiredCounts {
  hits: number;
  misses: number;
  missTime: number;
  timedMisses: number;
}

/**
 * What a `withFreshCache` scope set aside: the LRU list as it was (its nodes stay linked), each namespace's entries,
 * and the tag index. See {@link MemoryTier.swapOut}.
 */
export interface MemorySnapshot {
  readonly head: MemoryEntry | undefined;
  readonly tail: MemoryEntry | undefined;
  readonly size: number;
  readonly tags: Map<string, Set<MemoryEntry>>;
  readonly entries: ReadonlyMap<Namespace, ReadonlyMap<unknown, MemoryEntry>>;
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
  /** Per-function counts of dropped namespaces, by display name (they stay in `stats().functions`). */
  readonly retired = new Map<string, RetiredCounts>();
  #head: MemoryEntry | undefined;
  #tail: MemoryEntry | undefined;
  /** Tagged entries by tag, so `invalidateTags` finds them without a scan. Untagged entries cost nothing here. */
  #tags = new Map<string, Set<MemoryEntry>>();
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
    if (previous !== undefined) {
      this.#unlink(previous);
      if (previous.tags !== undefined) this.#unindex(previous);
    } else this.size++;
    entries.set(entry.key, entry);
    this.#append(entry);
    if (entry.tags !== undefined) this.#index(entry);
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
    if (entry.tags !== undefined) this.#unindex(entry);
    this.size--;
  }

  /** Removes every entry carrying one of `tags`; answers how many. */
  removeTagged(tags: readonly string[]): number {
    let removed = 0;
    for (const tag of tags) {
      const tagged = this.#tags.get(tag);
      if (tagged === undefined) continue;
      for (const entry of [...tagged]) {
        this.remove(entry);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Forgets a namespace and its entries. Every entry is also a node of the LRU list, which would keep it (and its
   * result) alive forever: per-instance decorator namespaces are dropped this way when their instance is collected.
   */
  dropNamespace(namespace: Namespace): void {
    for (const entry of namespace.entries.values()) {
      this.#unlink(entry);
      if (entry.tags !== undefined) this.#unindex(entry);
      this.size--;
    }
    this.#retire(namespace);
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
    this.#tags = new Map();
    this.size = 0;
  }

  /** Every entry, least recently used first. */
  *entries(): IterableIterator<MemoryEntry> {
    yield* chain(this.#head);
  }

  /**
   * Sets every entry aside and leaves the tier empty (a `withFreshCache` scope begins). Entry Maps are emptied in
   * place, never replaced: wrappers hold them. Calls in flight are forgotten (their results belong to the cache
   * they started in, and are not stored).
   */
  swapOut(): MemorySnapshot {
    const entries = new Map<Namespace, Map<unknown, MemoryEntry>>();
    for (const namespace of this.#namespaces) {
      if (namespace.entries.size > 0) entries.set(namespace, new Map(namespace.entries));
      namespace.entries.clear();
      namespace.pending.clear();
    }
    const snapshot = { head: this.#head, tail: this.#tail, size: this.size, tags: this.#tags, entries };
    this.#head = undefined;
    this.#tail = undefined;
    this.#tags = new Map();
    this.size = 0;
    return snapshot;
  }

  /** Drops the current entries and puts `snapshot` back (a `withFreshCache` scope ends). */
  restore(snapshot: MemorySnapshot): void {
    this.clear();
    for (const [namespace, saved] of snapshot.entries) {
      if (this.#dropped.has(namespace)) continue;
      for (const [key, entry] of saved) namespace.entries.set(key, entry);
    }
    this.#head = snapshot.head;
    this.#tail = snapshot.tail;
    this.#tags = snapshot.tags;
    this.size = snapshot.size;
    // Namespaces dropped while the scope ran (collected instances) must not come back with their entries.
    for (let entry = this.#head; entry !== undefined; ) {
      const next = entry.next;
      if (this.#dropped.has(entry.namespace)) {
        this.#unlink(entry);
        if (entry.tags !== undefined) this.#unindex(entry);
        this.size--;
      }
      entry = next;
    }
  }

  #index(entry: MemoryEntry): void {
    for (const tag of entry.tags!) {
      let tagged = this.#tags.get(tag);
      if (tagged === undefined) {
        tagged = new Set();
        this.#tags.set(tag, tagged);
      }
      tagged.add(entry);
    }
  }

  #unindex(entry: MemoryEntry): void {
    for (const tag of entry.tags!) {
      const tagged = this.#tags.get(tag);
      if (tagged === undefined) continue;
      tagged.delete(entry);
      if (tagged.size === 0) this.#tags.delete(tag);
    }
  }

  /** Keeps the counts of a dropped namespace for `stats()`. */
  #retire(namespace: Namespace): void {
    this.counters.hits.memory += namespace.calls.memoryHits;
    if (namespace.calls.memoryHits + namespace.calls.persistedHits + namespace.calls.misses === 0) return;
    const retired = this.retired.get(namespace.displayName) ?? { hits: 0, misses: 0, missTime: 0, timedMisses: 0 };
    retired.hits += namespace.calls.memoryHits + namespace.calls.persistedHits;
    retired.misses += namespace.calls.misses;
    retired.missTime += namespace.calls.missTime;
    retired.timedMisses += namespace.calls.timedMisses;
    this.retired.set(namespace.displayName, retired);
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

/** The entries of an LRU list from `head`, least recently used first. */
export function* chain(head: MemoryEntry | undefined): IterableIterator<MemoryEntry> {
  for (let entry = head; entry !== undefined; entry = entry.next) yield entry;
}
