import { expect } from 'vitest';
import type { Memoizer } from '../../src/index.js';

/**
 * Two memoizers of different collections, each memoizing an async function named `load`, must get their own result
 * for one call (a remote tier shared between them once handed one collection's result to the other). Answers the
 * memoizer of the second collection, for further checks.
 */
export async function expectCollectionsApart<M extends Memoizer>(
  first: [collection: string, memoizer: M],
  second: [collection: string, memoizer: M],
): Promise<M> {
  for (const [collection, memoizer] of [first, second]) {
    const load = memoizer.memoize()(async function load(id: number) {
      return `${collection} ${id}`;
    });
    await expect(load(7)).resolves.toBe(`${collection} 7`);
  }
  return second[1];
}
