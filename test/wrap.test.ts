import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetSettingsForTests } from '../src/config.js';
import { CacheMissError, DeferredRecording, KeyEncodingError, Memoizer } from '../src/index.js';

// The call paths of src/wrap.ts: calls of up to three arguments read them as parameters (one int32 argument probes
// the memory tier directly), longer calls and paramsEncoder wrappers take the general path. These tests pin that
// every path gives the same answers.

afterEach(() => {
  resetSettingsForTests();
});

const collect = (...args: unknown[]) => ({ args });

describe('argument counts', () => {
  it('runs once per distinct call for 0 to 5 arguments and replays each from the other paths', () => {
    const memoizer = new Memoizer();
    const spy = vi.fn(collect);
    const memoized = memoizer.memoize({ name: 'collect' })(spy);
    const replayed = memoizer.replay({ name: 'collect' })(collect);
    const calls: unknown[][] = [[], [1], [1, 'a'], [1, 'a', true], [1, 'a', true, null], [1, 'a', true, null, 5n]];
    const first = calls.map((args) => memoized(...args));
    const second = calls.map((args) => memoized(...args));
    expect(spy).toHaveBeenCalledTimes(calls.length);
    expect(second).toEqual(first);
    calls.forEach((args, index) => {
      expect(second[index]).toBe(first[index]);
      expect(replayed(...args)).toBe(first[index]);
    });
  });

  it('tells an explicit trailing undefined apart from a shorter call', () => {
    const memoizer = new Memoizer();
    const memoized = memoizer.memoize({ name: 'collect' })(collect);
    expect(memoized(1)).not.toBe(memoized(1, undefined));
    expect(memoized(1, 2)).not.toBe(memoized(1, 2, undefined));
    expect(memoized(1, 2, 3)).not.toBe(memoized(1, 2, 3, undefined));
  });

  it('passes `this` through on the short and the long path', () => {
    const memoizer = new Memoizer();
    const receiver = { scale: 10 };
    const scale = memoizer.memoize({ name: 'scale' })(function scale(this: typeof receiver, ...values: number[]) {
      return values.reduce((sum, value) => sum + value, 0) * this.scale;
    });
    expect(scale.call(receiver, 1)).toBe(10);
    expect(scale.call(receiver, 1, 2, 3, 4)).toBe(100);
  });
});

describe('one number argument', () => {
  it('keys integers, -0, 0, fractions, NaN and numbers beyond int32 apart, and hits each of them', () => {
    const memoizer = new Memoizer();
    const spy = vi.fn((value: number) => ({ value }));
    const memoized = memoizer.memoize({ name: 'box' })(spy);
    const values = [7, -7, 0, -0, 1.5, Number.NaN, 2 ** 31, -(2 ** 31), 2 ** 53, Number.POSITIVE_INFINITY];
    const first = values.map((value) => memoized(value));
    expect(new Set(first).size).toBe(values.length);
    values.forEach((value, index) => {
      expect(memoized(value)).toBe(first[index]);
    });
    expect(spy).toHaveBeenCalledTimes(values.length);
    expect(memoizer.stats().hits.memory).toBe(values.length);
  });

  it('expires an integer-keyed entry after its ttl', () => {
    let now = 1_000;
    const memoizer = new Memoizer({ ttl: 100, clock: () => now });
    const spy = vi.fn((value: number) => value * 2);
    const memoized = memoizer.memoize({ name: 'double' })(spy);
    memoized(21);
    now += 50;
    memoized(21);
    expect(spy).toHaveBeenCalledTimes(1);
    now += 100;
    memoized(21);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(memoizer.stats().expirations).toBe(1);
  });

  it('moves integer-keyed hits to the front of the LRU order', () => {
    const memoizer = new Memoizer({ maxEntries: 2 });
    const spy = vi.fn((value: number) => value * 2);
    const memoized = memoizer.memoize({ name: 'double' })(spy);
    memoized(1);
    memoized(2);
    memoized(1); // a hit: 1 becomes the most recently used, so 2 is evicted next
    memoized(3);
    memoized(1);
    expect(spy).toHaveBeenCalledTimes(3);
    memoized(2);
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it('hands an async function its settled result as the same promise on every hit', async () => {
    const memoizer = new Memoizer();
    const spy = vi.fn(async (value: number) => value * 2);
    const memoized = memoizer.memoize({ name: 'double' })(spy);
    expect(await memoized(4)).toBe(8);
    const hit = memoized(4);
    expect(hit).toBeInstanceOf(Promise);
    expect(memoized(4)).toBe(hit);
    expect(await hit).toBe(8);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('throws CacheMissError from replay on an integer miss without calling the function', () => {
    const memoizer = new Memoizer();
    const spy = vi.fn((value: number) => value);
    const replayed = memoizer.replay({ name: 'identity' })(spy);
    expect(() => replayed(5)).toThrow(CacheMissError);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('several primitive arguments', () => {
  it('keeps calls that differ only by type apart (1 and "1", null and undefined, 0 and -0)', () => {
    const memoizer = new Memoizer();
    const spy = vi.fn(collect);
    const memoized = memoizer.memoize({ name: 'collect' })(spy);
    const calls: unknown[][] = [
      [1, 'a'],
      ['1', 'a'],
      [null, 'a', 1],
      [undefined, 'a', 1],
      [0, 'a'],
      [-0, 'a'],
    ];
    const first = calls.map((args) => memoized(...args));
    expect(new Set(first).size).toBe(calls.length);
    calls.forEach((args, index) => {
      expect(memoized(...args)).toBe(first[index]);
    });
    expect(spy).toHaveBeenCalledTimes(calls.length);
  });

  it('uses the paramsEncoder, not the arguments, whatever their count', () => {
    const memoizer = new Memoizer();
    const spy = vi.fn(collect);
    const memoized = memoizer.memoize({ name: 'collect', paramsEncoder: (first: unknown) => ({ first }) })(spy);
    expect(memoized(1, 'a')).toBe(memoized(1, 'b', true, null));
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('one object argument', () => {
  it('hits equal objects whatever their property order, and finds their entry through peek and invalidate', async () => {
    const memoizer = new Memoizer();
    const spy = vi.fn((query: object) => ({ query }));
    const memoized = memoizer.memoize({ name: 'search' })(spy);
    const first = memoized({ text: 'a', filters: { size: 2, tags: ['x'] } });
    expect(memoized({ filters: { tags: ['x'], size: 2 }, text: 'a' })).toBe(first);
    expect(memoized({ text: 'a', filters: { size: 2, tags: ['x'] } })).toBe(first);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(memoized.peek({ filters: { size: 2, tags: ['x'] }, text: 'a' })).toBe(first);
    await memoized.invalidate({ filters: { tags: ['x'], size: 2 }, text: 'a' });
    expect(memoized.peek({ text: 'a', filters: { size: 2, tags: ['x'] } })).toBeUndefined();
  });

  it('keeps objects that differ only by -0, NaN, 1 and "1", holes or undefined apart', () => {
    const memoizer = new Memoizer();
    const memoized = memoizer.memoize({ name: 'identity' })((value: object) => ({ value }));
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the values that must not collide.
    const distinct = [{ a: 0 }, { a: -0 }, { a: Number.NaN }, { a: 1 }, { a: '1' }, [, 1], [undefined, 1], {}, []];
    const results = distinct.map((value) => memoized(value));
    expect(new Set(results).size).toBe(distinct.length);
    distinct.forEach((value, index) => {
      expect(memoized(structuredClone(value))).toBe(results[index]);
    });
  });
});

describe('two recordings of one call in flight', () => {
  const settleIn = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps the later record, also when the earlier one settles last', async () => {
    const memoizer = new Memoizer();
    let started = 0;
    const load = memoizer.record({ name: 'load' })(async (_id: number) => {
      const version = ++started;
      await settleIn(version === 1 ? 40 : 5);
      return `v${version}`;
    });
    expect(await Promise.all([load(1), load(1)])).toEqual(['v1', 'v2']);
    const replayed = memoizer.replay({ name: 'load' })(async (_id: number) => 'never');
    expect(await replayed(1)).toBe('v2');
  });

  it('keeps the later DeferredRecording, whichever is finalized first', () => {
    const memoizer = new Memoizer();
    const recordings: DeferredRecording<string, string>[] = [];
    const encoder = () => () => () => {
      const recording = new DeferredRecording<string, string>();
      recordings.push(recording);
      return recording;
    };
    const build = memoizer.record({ name: 'build', resultEncoder: encoder })((_id: number) => 'raw');
    build(1);
    build(1);
    recordings[1]!.finalize('second');
    recordings[0]!.finalize('first');
    expect(memoizer.replay({ name: 'build' })((_id: number) => 'never')(1)).toBe('second');
  });
});

describe('results that look like promises', () => {
  it('returns a result whose `then` cannot be read (a revoked Proxy) as a value', () => {
    const memoizer = new Memoizer();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const make = memoizer.memoize({ name: 'make' })((_id: number) => proxy);
    expect(make(1)).toBe(proxy);
    expect(make(1)).toBe(proxy);
  });
});

describe('arguments too deep to key', () => {
  it('throws KeyEncodingError on every call path, not a stack overflow', () => {
    let value: unknown = 'leaf';
    for (let level = 0; level < 100_000; level++) value = level % 2 === 0 ? [value] : { inner: value };
    const memoizer = new Memoizer();
    const one = memoizer.memoize({ name: 'one' })((_value: unknown) => 1);
    const two = memoizer.memoize({ name: 'two' })((_value: unknown, _other: unknown) => 1);
    for (let call = 0; call < 3; call++) expect(() => one(value)).toThrow(KeyEncodingError);
    expect(() => two(value, 1)).toThrow(KeyEncodingError);
  });
});
