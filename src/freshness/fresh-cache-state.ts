import { chain, type MemoryEntry, type MemorySnapshot, type MemoryTier } from '../memory-tier.js';
import type { PersistedTier } from '../stores/store.js';
import { type FreshScope, freshScopes } from './fresh-scopes.js';

/**
 * One memoizer's side of `withFreshCache`: the memory each open scope set aside, and which tiers are in use. The
 * tiers array is the one the memoizer reads and writes through (its TieredStore holds it), so it is refilled in
 * place: with the memoizer's own tiers outside any scope, with their stand-ins (see `Memoizer.freshTier`) inside one.
 */
export class FreshCacheState {
  readonly #memory: MemoryTier;
  /** The tiers in use now. */
  readonly #inUse: PersistedTier[];
  /** The tiers the memoizer was given (a preloaded dump, a disk folder). */
  readonly #own: PersistedTier[] = [];
  /** The stand-in of a tier inside a scope, or `undefined` to leave the tier out. */
  readonly #standIn: (tier: PersistedTier, scope: FreshScope) => PersistedTier | undefined;
  /** Memory set aside by each open scope joined, outermost first. */
  readonly #stack: MemorySnapshot[] = [];
  #scope: FreshScope | undefined;

  constructor(
    memory: MemoryTier,
    inUse: PersistedTier[],
    standIn: (tier: PersistedTier, scope: FreshScope) => PersistedTier | undefined,
  ) {
    this.#memory = memory;
    this.#inUse = inUse;
    this.#standIn = standIn;
  }

  /** The innermost open scope this memoizer is in, if any. */
  get scope(): FreshScope | undefined {
    return this.#scope;
  }

  /** Adds one of the memoizer's own tiers (in use at once, or through its stand-in inside a scope). */
  addTier(tier: PersistedTier): void {
    this.#own.push(tier);
    const inUse = this.#scope === undefined ? tier : this.#standIn(tier, this.#scope);
    if (inUse !== undefined) this.#inUse.push(inUse);
  }

  /**
   * Follows the open scopes: each scope not joined yet sets the memory aside (an empty memory for the scope), each
   * scope that closed gives it back, and the tiers in use become the innermost scope's stand-ins. A memoizer that
   * stays out of scopes (`joins` false: fixture tapes) follows none.
   */
  sync(joins: boolean): void {
    const scopes = freshScopes();
    const depth = joins ? scopes.length : 0;
    while (this.#stack.length < depth) this.#stack.push(this.#memory.swapOut());
    while (this.#stack.length > depth) this.#memory.restore(this.#stack.pop()!);
    const scope = depth === 0 ? undefined : scopes[depth - 1];
    if (scope === this.#scope) return;
    this.#scope = scope;
    this.#inUse.length = 0;
    for (const tier of this.#own) {
      const inUse = scope === undefined ? tier : this.#standIn(tier, scope);
      if (inUse !== undefined) this.#inUse.push(inUse);
    }
  }

  /** The memory entries outside every scope, least recently used first: what the dump sees. */
  realEntries(): IterableIterator<MemoryEntry> {
    const outermost = this.#stack[0];
    return outermost === undefined ? this.#memory.entries() : chain(outermost.head);
  }
}
