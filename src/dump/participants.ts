import type { ExportedEntry } from '../memoizer.js';
import { liveMemoizers } from '../registry.js';
import type { PersistedTier } from '../stores/store.js';
import type { DumpCollection } from './dump-format.js';

/** What the dump layer needs from a memoizer: a slice of its internals, passed by its constructor. */
export interface DumpHooks {
  /** The memoizer's clock (TTL checks of preloaded entries). */
  readonly clock: () => number;
  /** Adds a persisted tier (the read-only preload tier). */
  addTier(tier: PersistedTier): void;
  /** The live memory entries in their persisted form; unstorable ones are left out with a warning. */
  exportEntries(): Iterable<ExportedEntry>;
}

/** A memoizer as the dump sees it. */
export interface DumpParticipant {
  /** The collection name: the `subKey`, or `"null"`. */
  readonly collection: string;
  readonly hooks: DumpHooks;
  /** The entries preloaded into this memoizer now, which it dumps again (its own results win). */
  preloaded(): DumpCollection | undefined;
}

let participants = new WeakMap<object, DumpParticipant>();

/**
 * Memoizers held strongly while dumping is on. The registry only holds weak references, so a memoizer that the
 * program no longer reaches (one made inside a test, say) could be collected with its entries before the exit dump;
 * the seed's `atexit` registration keeps every memoizer alive until exit, and so does this set. It is emptied when
 * dumping is turned off.
 */
const retained = new Set<object>();

export function addParticipant(memoizer: object, participant: DumpParticipant): void {
  participants.set(memoizer, participant);
}

export function retainParticipant(memoizer: object): void {
  retained.add(memoizer);
}

export function releaseParticipants(): void {
  retained.clear();
}

/** Every memoizer that can take part in a dump now: the retained ones and every other one still alive. */
export function* currentParticipants(): IterableIterator<DumpParticipant> {
  const seen = new Set<object>();
  for (const memoizer of [...retained, ...liveMemoizers()]) {
    if (seen.has(memoizer)) continue;
    seen.add(memoizer);
    const participant = participants.get(memoizer);
    if (participant !== undefined) yield participant;
  }
}

/** @internal Forgets every participant; for tests, so that memoizers of earlier tests stay out of a dump. */
export function resetParticipantsForTests(): void {
  participants = new WeakMap();
  retained.clear();
}
