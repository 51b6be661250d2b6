import { describe, expect, it, vi } from 'vitest';
import { Memoizer, memoize } from '../src/index.js';

describe('wrap-or-decorate', () => {
  it('still wraps plain functions', () => {
    const slow = vi.fn((value: number) => value * 2);
    const fast = new Memoizer().memoize()(slow);
    fast(1);
    fast(1);
    expect(slow).toHaveBeenCalledTimes(1);
    const quick = memoize(function double(value: number) {
      return value * 2;
    });
    expect([quick(2), quick.name]).toEqual([4, 'double']);
  });

  it('refuses decorator-only options on a plain function', () => {
    expect(() => new Memoizer().memoize({ shared: true })((value: number) => value)).toThrow(
      /`instanceKey` and `shared` options apply to method decorators only/,
    );
    expect(() => memoize((value: number) => value, { instanceKey: () => 'x' } as never)).toThrow(TypeError);
  });

  it('checks `instanceKey` and `shared` when the options are given', () => {
    const memoizer = new Memoizer();
    expect(() => memoizer.memoize({ shared: 'yes' as never })).toThrow(/`shared`/);
    expect(() => memoizer.memoize({ instanceKey: 'id' as never })).toThrow(/`instanceKey`/);
    expect(() => memoizer.memoize({ instanceKey: () => 'x', shared: true })).toThrow(/either `instanceKey` or/);
    expect(() => memoizer.memoize({ instanceKeys: () => 'x' } as never)).toThrow(/Unknown option `instanceKeys`/);
  });
});
