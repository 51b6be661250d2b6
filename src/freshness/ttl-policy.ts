/*
 * How long a recorded result lives and which tags it carries, decided per call from the wrap options `ttl`, `tags`
 * and `staleWhileRevalidate`. The common case (a fixed TTL, no tags) is one precomputed object, so storing a result
 * costs no call into user code.
 */

/**
 * A TTL: milliseconds an entry lives, or a function of the result (for a promise, its settled value) and the call's
 * arguments that answers them. `0` means the result is not stored.
 *
 * @example
 * ```ts
 * const ttl: Ttl<[range: 'day' | 'hour'], Report> = (report, range) => (range === 'day' ? 3_600_000 : 60_000);
 * ```
 */
export type Ttl<A extends unknown[] = any[], R = unknown> = number | ((result: Awaited<R>, ...args: A) => number);

/**
 * Answers the tags of a result (for a promise, its settled value) from the result and the call's arguments, in the
 * argument order of a {@link Ttl} function.
 *
 * @example
 * ```ts
 * const tags: TagsFunction<[id: number], Profile> = (profile, id) => [`user:${id}`, `org:${profile.orgId}`];
 * ```
 */
export type TagsFunction<A extends unknown[] = any[], R = unknown> = (
  result: Awaited<R>,
  ...args: A
) => readonly string[];

/** @internal What a wrapper decides about a result before storing it. */
export interface Lifetime {
  /** Milliseconds the entry is fresh; `undefined`: forever. */
  readonly ttl: number | undefined;
  /** Milliseconds a stale entry is still served after `ttl` while it is refreshed; `undefined`: none. */
  readonly staleWhileRevalidate: number | undefined;
  /** The entry's tags; `undefined` when it has none. */
  readonly tags: readonly string[] | undefined;
}

/** @internal The freshness options of one wrapper, checked. */
export interface FreshnessPolicy {
  readonly ttl: number | ((result: unknown, ...args: unknown[]) => number) | undefined;
  readonly tags: ((result: unknown, ...args: unknown[]) => readonly string[]) | undefined;
  readonly staleWhileRevalidate: number | undefined;
}

function isTtlValue(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value) && value >= 0;
}

/** Checks a `ttl` option: a non-negative number of milliseconds, or a function. Throws a TypeError naming it. */
export function validateTtlOption(value: unknown, option: string): FreshnessPolicy['ttl'] {
  if (value === undefined || typeof value === 'function') return value as FreshnessPolicy['ttl'];
  if (!isTtlValue(value)) {
    throw new TypeError(
      `Expected \`${option}\` to be a non-negative number of milliseconds or a function (result, ...args) => milliseconds, got ${String(value)}`,
    );
  }
  return value;
}

/** Checks a `tags` option: a function `(result, ...args) => string[]`. */
export function validateTagsOption(value: unknown, option: string): FreshnessPolicy['tags'] {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`Expected \`${option}\` to be a function (result, ...args) => string[], got ${typeof value}`);
  }
  return value as FreshnessPolicy['tags'];
}

/** Checks a `staleWhileRevalidate` option: a finite, non-negative number of milliseconds (0 turns it off). */
export function validateStaleWhileRevalidate(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!isTtlValue(value) || !Number.isFinite(value)) {
    throw new TypeError(
      `Expected \`${option}\` to be a finite, non-negative number of milliseconds, got ${String(value)}`,
    );
  }
  return value === 0 ? undefined : value;
}

/**
 * Checks a list of tags: strings (empty ones are refused), duplicates dropped. Answers `undefined` for an empty list
 * and throws a TypeError for anything else.
 */
export function normalizeTags(value: unknown, option = 'tags'): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    throw new TypeError(`Expected \`${option}\` to answer an array of strings, got ${typeof value}`);
  }
  for (const tag of value) {
    if (typeof tag !== 'string' || tag === '') {
      throw new TypeError(
        `Expected \`${option}\` to answer non-empty strings, got ${JSON.stringify(tag) ?? typeof tag}`,
      );
    }
  }
  if (value.length === 0) return undefined;
  return value.length === 1 ? [value[0] as string] : [...new Set(value as string[])];
}

/**
 * The times of an entry stored at `now` with `lifetime`: it turns stale after `ttl` (only with
 * `staleWhileRevalidate`) and expires at the end of the stale window (or after `ttl` without one).
 */
export function entryTimes(
  lifetime: Lifetime,
  now: number,
): { createdAt: number; expiresAt: number | undefined; staleAt: number | undefined } {
  const { ttl, staleWhileRevalidate } = lifetime;
  if (ttl === undefined) return { createdAt: now, expiresAt: undefined, staleAt: undefined };
  if (staleWhileRevalidate === undefined) return { createdAt: now, expiresAt: now + ttl, staleAt: undefined };
  return { createdAt: now, expiresAt: now + ttl + staleWhileRevalidate, staleAt: now + ttl };
}

/**
 * The lifetime every result of a wrapper gets when neither `ttl` nor `tags` is a function: computed once. Answers
 * `null` when the policy depends on the call, and `undefined` when results are never stored (`ttl: 0`).
 */
export function staticLifetime(policy: FreshnessPolicy): Lifetime | undefined | null {
  if (typeof policy.ttl === 'function' || policy.tags !== undefined) return null;
  if (policy.ttl === 0) return undefined;
  return { ttl: policy.ttl, staleWhileRevalidate: policy.staleWhileRevalidate, tags: undefined };
}

/**
 * The lifetime of one result: calls the `ttl` and `tags` functions with the result and the arguments. Answers
 * `undefined` when the result must not be stored: a TTL of 0, or a function that threw or answered something
 * invalid (reported through `fail`, once per wrapper, never to the caller: the call still returns its result).
 */
export function resolveLifetime(
  policy: FreshnessPolicy,
  result: unknown,
  args: readonly unknown[],
  fail: (option: string, error: unknown) => void,
): Lifetime | undefined {
  let ttl: unknown = policy.ttl;
  if (typeof ttl === 'function') {
    try {
      ttl = (ttl as (result: unknown, ...args: unknown[]) => unknown)(result, ...args);
    } catch (error) {
      fail('ttl', error);
      return undefined;
    }
    if (!isTtlValue(ttl)) {
      fail(
        'ttl',
        new TypeError(`Expected \`ttl\` to answer a non-negative number of milliseconds, got ${String(ttl)}`),
      );
      return undefined;
    }
  }
  if (ttl === 0) return undefined;
  let tags: readonly string[] | undefined;
  if (policy.tags !== undefined) {
    try {
      tags = normalizeTags(policy.tags(result, ...args));
    } catch (error) {
      fail('tags', error);
      return undefined;
    }
  }
  return { ttl: ttl as number | undefined, staleWhileRevalidate: policy.staleWhileRevalidate, tags };
}
