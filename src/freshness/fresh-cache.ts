import { isThenable } from '../internal/thenable.js';
import { internals } from '../memoizer.js';
import { liveMemoizers } from '../registry.js';
import { closeScope, openScope } from './fresh-scopes.js';

function syncEveryMemoizer(): void {
  for (const memoizer of liveMemoizers()) memoizer[internals].syncFreshCache();
}

/**
 * Runs `fn` with every memoizer behaving as newly created, then puts everything back. For the duration of `fn`
 * (until its promise settles, for an async `fn`):
 *
 * - memory is empty: entries recorded before, and preloaded ones, are set aside;
 * - disk tiers use an empty folder under a temp cache dir, removed afterwards: nothing reaches the real cache dir;
 * - the remote tier (Redis) sits out, and nothing recorded reaches the dump file (the exit dump and `flushDump()`
 *   see only the entries set aside);
 * - memoizers created inside work the same way, and keep working normally afterwards.
 *
 * Afterwards, entries recorded before are visible again and those recorded inside are gone. Calls still in flight
 * when the cache changes return their results to their callers but do not store them. Scopes nest. They are process
 * wide: code running concurrently outside `fn` sees the fresh cache too. Fixture tapes (`memotape/testing`) are left
 * alone: they replay and record their own file. Counters (`stats()`) keep counting.
 *
 * @example
 * ```ts
 * import { withFreshCache } from 'memotape';
 * it('computes from scratch', () => withFreshCache(async () => {
 *   expect(await getUser(1)).toEqual(user);
 *   expect(memoizer.stats().functions.getUser.misses).toBe(1);
 * }));
 * ```
 */
export function withFreshCache<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`);
  const scope = openScope();
  syncEveryMemoizer();
  const leave = (): void => {
    if (closeScope(scope)) syncEveryMemoizer();
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    leave();
    throw error;
  }
  if (!isThenable(result)) {
    leave();
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      leave();
      return value;
    },
    (error: unknown) => {
      leave();
      throw error;
    },
  ) as T;
}
