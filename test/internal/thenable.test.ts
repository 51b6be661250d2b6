import { describe, expect, it } from 'vitest';
import { isThenable } from '../../src/internal/thenable.js';

/** `target` with a `then` property (defined, since a literal `then` reads as a mistake to the linter). */
const withThen = <T extends object>(target: T, then: unknown): T =>
  Object.defineProperty(target, 'then', { value: then });

describe('isThenable', () => {
  it('tells promises and thenables from values', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable(withThen({}, () => undefined))).toBe(true);
    expect(
      isThenable(
        withThen(
          () => 1,
          () => undefined,
        ),
      ),
    ).toBe(true);
    for (const value of [null, undefined, 0, 'then', withThen({}, 1), () => 1]) expect(isThenable(value)).toBe(false);
  });

  it('answers false, without throwing, for a `then` that cannot be read', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwing = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('no then');
      },
    });
    expect(isThenable(proxy)).toBe(false);
    expect(isThenable(throwing)).toBe(false);
  });
});
