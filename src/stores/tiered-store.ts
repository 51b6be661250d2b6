import { isThenable } from '../internal/thenable.js';
import { warn } from '../internal/warn.js';
import { validateOptionsObject } from '../options.js';
import type { MaybePromise, Store, StoredEntry } from './store.js';

/**
 * One tier of a {@link TieredStore}: a name (for stats and warnings) and a {@link Store}.
 *
 * @example
 * ```ts
 * const tier: StoreTier = { name: 'disk', store: new DiskStore({ directory: '/tmp/cache' }) };
 * ```
 */
export interface StoreTier<V = StoredEntry> {
  readonly name: string;
  readonly store: Store<V>;
  /** A read-only tier is read, never written, deleted from or cleared. @default false */
  readonly readOnly?: boolean | undefined;
}

/**
 * A value found by {@link TieredStore.lookup}, with the tier that had it.
 *
 * @example
 * ```ts
 * const hit = tiered.lookupSync(key);
 * if (hit) console.log(`${hit.tier.name} hit`);
 * ```
 */
export interface TierHit<T extends StoreTier<any> = StoreTier> {
  readonly tier: T;
  /** The tier's position: 0 is the first tier asked. */
  readonly index: number;
  readonly value: TierValue<T>;
}

/**
 * The type of value a tier holds.
 *
 * @example
 * ```ts
 * type Value = TierValue<StoreTier<string>>; // string
 * ```
 */
export type TierValue<T> = T extends StoreTier<infer V> ? V : never;

/**
 * Options of {@link TieredStore}.
 *
 * @example
 * ```ts
 * new TieredStore(tiers, { onError: (tier, error) => logger.warn(tier.name, error) });
 * ```
 */
export interface TieredStoreOptions<T> {
  /**
   * Called when a tier throws or rejects. The composition then carries on as if that tier had missed (or, for a
   * write, with the other tiers), so one failing tier never fails a call.
   * @default one `MemotapeWarning` per tier name
   */
  readonly onError?: ((tier: T, error: unknown) => void) | undefined;
}

/**
 * Decides whether a tier's answer counts as a hit (it may be expired, or belong to another namespace).
 *
 * @example
 * ```ts
 * const fresh: AcceptHit<StoreTier> = (entry) => entry.expiresAt === undefined || entry.expiresAt > Date.now();
 * tiered.lookupSync(key, fresh);
 * ```
 */
export type AcceptHit<T extends StoreTier<any>> = (value: TierValue<T>, tier: T) => boolean;

const TIERED_STORE_OPTION_NAMES: ReadonlySet<string> = new Set(['onError']);

/** What `#ask` answers for a tier whose `get` threw. */
const FAILED: unique symbol = Symbol('tier failed');

function warnTierFailed(tier: StoreTier<unknown>, error: unknown): void {
  warn(
    'MEMOTAPE_TIER_FAILED',
    `the ${tier.name} tier failed: ${(error as Error | undefined)?.message ?? String(error)}`,
    `tier:${tier.name}`,
  );
}

/**
 * Composes stores into one: reads go through the tiers in order and a hit fills the writable tiers above it; writes,
 * deletes and clears go to every writable tier. Each answer stays synchronous as long as every tier asked answers
 * synchronously, so a stack of synchronous stores costs no promise. `tiers` is kept by reference: a tier pushed onto
 * the array later takes part from then on.
 *
 * @example
 * ```ts
 * import { DiskStore, MemoryStore, TieredStore } from 'memotape';
 * const store = new TieredStore([
 *   { name: 'memory', store: new MemoryStore({ maxEntries: 1000 }) },
 *   { name: 'disk', store: new DiskStore({ directory: '/tmp/cache' }) },
 * ]);
 * store.set(key, entry);   // written to both
 * store.lookupSync(key);   // { tier: { name: 'memory', ... }, index: 0, value: entry }
 * ```
 */
export class TieredStore<T extends StoreTier<any> = StoreTier> implements Store<TierValue<T>> {
  /** The tiers, first asked first. */
  readonly tiers: readonly T[];
  readonly #onError: (tier: T, error: unknown) => void;

  constructor(tiers: readonly T[], options: TieredStoreOptions<T> = {}) {
    if (!Array.isArray(tiers)) throw new TypeError('Expected `tiers` to be an array');
    tiers.forEach((tier, index) => {
      const store = (tier as Partial<StoreTier<unknown>> | null)?.store;
      if (typeof tier?.name !== 'string' || typeof (store as Partial<Store<unknown>> | undefined)?.get !== 'function') {
        throw new TypeError(`Expected \`tiers[${index}]\` to be a tier: { name, store } with a store that has get`);
      }
    });
    validateOptionsObject(options, TIERED_STORE_OPTION_NAMES, 'TieredStore');
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new TypeError('Expected `onError` to be a function');
    }
    this.tiers = tiers;
    this.#onError = options.onError ?? warnTierFailed;
  }

  /**
   * The first accepted value among the tiers that answer synchronously. A tier answering with a promise is skipped
   * (a synchronous caller cannot wait), and its eventual failure is still reported.
   */
  lookupSync(key: string, accept?: AcceptHit<T>): TierHit<T> | undefined {
    const { tiers } = this;
    for (let index = 0; index < tiers.length; index++) {
      const tier = tiers[index]!;
      const answer = this.#ask(tier, key);
      if (answer === FAILED) continue;
      if (isThenable(answer)) {
        answer.then(undefined, (error: unknown) => this.#onError(tier, error));
        continue;
      }
      const hit = this.#hit(key, answer, index, accept);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** The first accepted value among all tiers, waiting for asynchronous ones (synchronous while none is). */
  lookup(key: string, accept?: AcceptHit<T>): MaybePromise<TierHit<T> | undefined> {
    return this.#lookupFrom(key, accept, 0);
  }

  /** The value of the first tier that has `key`. */
  get(key: string): MaybePromise<TierValue<T> | undefined> {
    const hit = this.lookup(key);
    return isThenable(hit) ? hit.then((found) => found?.value) : hit?.value;
  }

  /** Writes `value` to every writable tier; a failing tier is reported and the others are still written. */
  set(key: string, value: TierValue<T>): MaybePromise<void> {
    return this.#all((tier) => tier.store.set(key, value));
  }

  /** Removes `key` from every writable tier; answers whether any had it. */
  delete(key: string): MaybePromise<boolean> {
    const removed: boolean[] = [];
    const done = this.#all((tier) => {
      const answer = tier.store.delete(key);
      if (isThenable(answer)) return answer.then((value) => void removed.push(value));
      removed.push(answer);
      return undefined;
    });
    return isThenable(done) ? done.then(() => removed.includes(true)) : removed.includes(true);
  }

  /** Clears every writable tier. */
  clear(): MaybePromise<void> {
    return this.#all((tier) => tier.store.clear());
  }

  /** One tier's answer for `key`, or {@link FAILED} (already reported) when its `get` threw. */
  #ask(tier: T, key: string): MaybePromise<TierValue<T> | undefined> | typeof FAILED {
    try {
      return tier.store.get(key);
    } catch (error) {
      this.#onError(tier, error);
      return FAILED;
    }
  }

  #lookupFrom(key: string, accept: AcceptHit<T> | undefined, start: number): MaybePromise<TierHit<T> | undefined> {
    const { tiers } = this;
    for (let index = start; index < tiers.length; index++) {
      const tier = tiers[index]!;
      const answer = this.#ask(tier, key);
      if (answer === FAILED) continue;
      if (isThenable(answer)) {
        return Promise.resolve(answer).then(
          (value) => this.#hit(key, value, index, accept) ?? this.#lookupFrom(key, accept, index + 1),
          (error: unknown) => {
            this.#onError(tier, error);
            return this.#lookupFrom(key, accept, index + 1);
          },
        );
      }
      const hit = this.#hit(key, answer, index, accept);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  #hit(key: string, value: TierValue<T> | undefined, index: number, accept: AcceptHit<T> | undefined) {
    if (value === undefined) return undefined;
    const tier = this.tiers[index]!;
    if (accept !== undefined && !accept(value, tier)) return undefined;
    // Fill the tiers above, so the next lookup stops earlier. Asynchronous fills are not waited for.
    for (let upper = 0; upper < index; upper++) {
      const target = this.tiers[upper]!;
      if (!target.readOnly) this.#attempt(target, (writable) => writable.store.set(key, value));
    }
    return { tier, index, value };
  }

  /** Runs `operation` on every writable tier; synchronous unless a tier answers with a promise. */
  #all(operation: (tier: T) => MaybePromise<unknown>): MaybePromise<void> {
    const pending: Promise<void>[] = [];
    for (const tier of this.tiers) {
      if (tier.readOnly) continue;
      const outcome = this.#attempt(tier, operation);
      if (outcome !== undefined) pending.push(outcome);
    }
    return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
  }

  /** Runs one tier's operation; errors and rejections go to `onError`. Answers a promise only for async tiers. */
  #attempt(tier: T, operation: (tier: T) => MaybePromise<unknown>): Promise<void> | undefined {
    try {
      const outcome = operation(tier);
      if (!isThenable(outcome)) return undefined;
      return Promise.resolve(outcome).then(
        () => undefined,
        (error: unknown) => this.#onError(tier, error),
      );
    } catch (error) {
      this.#onError(tier, error);
      return undefined;
    }
  }
}
