import type { Namespace } from './memory-tier.js';

/**
 * The default params of a call, `{ args }`, as a wrapper builds them on a miss. Entries recognise it and keep only
 * the arguments (or the one argument): an entry is then about 90 bytes smaller than with the params object and the
 * argument array it wraps, which matters for a cache of millions of small entries.
 *
 * @example
 * ```ts
 * createEntry(namespace, key, new ArgsParams([1, 2]), 3, false, { createdAt: Date.now() }, undefined).params;
 * // { args: [1, 2] }
 * ```
 */
export class ArgsParams {
  readonly args: unknown[];

  constructor(args: unknown[]) {
    this.args = args;
  }
}

/** When an entry was recorded, turns stale and expires (ms since the epoch); absent times mean never. */
export interface EntryTimes {
  readonly createdAt: number;
  readonly expiresAt?: number | undefined;
  readonly staleAt?: number | undefined;
}

/** What only some entries have: an expiry, a stale time, tags. Kept apart so that plain entries stay small. */
interface EntryLifetime {
  readonly expiresAt: number;
  readonly staleAt: number;
  readonly tags: readonly string[] | undefined;
}

// `flags` bits. The params form says how `storedParams` holds the params.
const PROMISE = 1;
const SINGLE_ARGUMENT = 2;
const ARGUMENT_LIST = 4;

/**
 * A recorded call held in memory. Entries double as nodes of the memoizer's LRU list.
 *
 * The layout is chosen for a small heap and a cheap hit: ten fields, the params kept as the bare arguments, and
 * expiry, stale time and tags in a separate object that entries without them do not have, so that a hit on such an
 * entry checks one field for `undefined` instead of loading a boxed double.
 */
export class MemoryEntry {
  readonly namespace: Namespace;
  readonly key: unknown;
  /** The params in the form `flags` names: the only argument, the argument list, or the encoded params. */
  readonly storedParams: unknown;
  /** The encoded result (the raw result when there is no `resultEncoder`). */
  readonly result: unknown;
  readonly flags: number;
  /** A settled promise handed to every hit of an async function without a decoder. */
  promise: Promise<unknown> | undefined;
  readonly createdAt: number;
  /** Expiry, stale time and tags; `undefined` for an entry that never expires and has no tags. */
  readonly lifetime: EntryLifetime | undefined;
  previous: MemoryEntry | undefined;
  next: MemoryEntry | undefined;

  constructor(
    namespace: Namespace,
    key: unknown,
    params: unknown,
    result: unknown,
    isPromise: boolean,
    times: EntryTimes,
    tags: readonly string[] | undefined,
  ) {
    let flags = isPromise ? PROMISE : 0;
    let storedParams = params;
    if (params instanceof ArgsParams) {
      const { args } = params;
      flags |= args.length === 1 ? SINGLE_ARGUMENT : ARGUMENT_LIST;
      storedParams = args.length === 1 ? args[0] : args;
    }
    const expiresAt = times.expiresAt ?? Number.POSITIVE_INFINITY;
    const staleAt = times.staleAt ?? Number.POSITIVE_INFINITY;
    this.namespace = namespace;
    this.key = key;
    this.storedParams = storedParams;
    this.result = result;
    this.flags = flags;
    this.promise = undefined;
    this.createdAt = times.createdAt;
    this.lifetime =
      expiresAt === Number.POSITIVE_INFINITY && staleAt === Number.POSITIVE_INFINITY && tags === undefined
        ? undefined
        : { expiresAt, staleAt, tags };
    this.previous = undefined;
    this.next = undefined;
  }

  /** The encoded params (default `{ args }`), kept for dumps and persisted tiers. */
  get params(): unknown {
    if ((this.flags & SINGLE_ARGUMENT) !== 0) return { args: [this.storedParams] };
    if ((this.flags & ARGUMENT_LIST) !== 0) return { args: this.storedParams };
    return this.storedParams;
  }

  /**
   * The arguments of a call recorded with the default params `{ args }` (so `params` is `{ args: defaultArgs }`), or
   * `undefined` when a `paramsEncoder` made the params.
   */
  get defaultArgs(): unknown[] | undefined {
    if ((this.flags & SINGLE_ARGUMENT) !== 0) return [this.storedParams];
    if ((this.flags & ARGUMENT_LIST) !== 0) return this.storedParams as unknown[];
    return undefined;
  }

  /** The function returned a promise: hits return a promise too. */
  get isPromise(): boolean {
    return (this.flags & PROMISE) !== 0;
  }

  /** `Infinity` when the entry never expires (it is then never stale either). */
  get expiresAt(): number {
    return this.lifetime === undefined ? Number.POSITIVE_INFINITY : this.lifetime.expiresAt;
  }

  /**
   * When the entry turns stale under `staleWhileRevalidate`: from then until `expiresAt` it is still returned, and
   * refreshed in the background. `Infinity` without `staleWhileRevalidate`.
   */
  get staleAt(): number {
    return this.lifetime === undefined ? Number.POSITIVE_INFINITY : this.lifetime.staleAt;
  }

  /** The entry's tags (the `tags` option), for `invalidateTags`. */
  get tags(): readonly string[] | undefined {
    return this.lifetime?.tags;
  }
}

/** A new memory entry (see {@link MemoryEntry}; `params` may be an {@link ArgsParams}). */
export function createEntry(...parts: ConstructorParameters<typeof MemoryEntry>): MemoryEntry {
  return new MemoryEntry(...parts);
}
