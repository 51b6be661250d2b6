import { describe, expect, it } from 'vitest';
import { ArgsParams, createCounters, createEntry, MemoryTier, Namespace } from '../src/memory-tier.js';

describe('MemoryTier.dropNamespace', () => {
  const entryIn = (namespace: Namespace, key: string) =>
    createEntry(namespace, key, new ArgsParams([key]), key, false, { createdAt: 0 }, undefined);

  it('unlinks the namespace entries and refuses entries that arrive later', () => {
    const memory = new MemoryTier(Number.POSITIVE_INFINITY, () => 0, createCounters());
    const dropped = new Namespace('A.method', undefined);
    const kept = new Namespace('B.method', undefined);
    memory.insert(entryIn(dropped, 'x'));
    memory.insert(entryIn(kept, 'y'));
    memory.insert(entryIn(dropped, 'z'));
    memory.dropNamespace(dropped);
    expect([...memory.entries()].map((entry) => entry.key)).toEqual(['y']);
    expect(memory.size).toBe(1);
    // A call still in flight when its instance was collected settles afterwards: it must not leak into the LRU list.
    memory.insert(entryIn(dropped, 'late'));
    expect(memory.size).toBe(1);
    expect(dropped.entries.size).toBe(0);
  });
});
