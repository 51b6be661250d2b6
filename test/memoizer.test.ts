import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetSettingsForTests } from '../src/config.js';
import {
  asMemoized,
  CacheMissError,
  configure,
  DeferredRecording,
  KeyEncodingError,
  Memoizer,
  memoize,
} from '../src/index.js';

afterEach(() => {
  resetSettingsForTests();
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('memoize', () => {
  it('runs the function once per distinct call and replays the stored result', () => {
    const memoizer = new Memoizer();
    const slow = vi.fn((a: number, b: number) => a + b);
    const fast = memoizer.memoize()(slow);
    expect(fast(1, 2)).toBe(3);
    expect(fast(1, 2)).toBe(3);
    expect(fast(2, 1)).toBe(3);
    expect(slow).toHaveBeenCalledTimes(2);
  });

  it('treats 1 and "1", 0 and -0 as different calls', () => {
    const memoizer = new Memoizer();
    const identity = memoizer.memoize()((value: unknown) => ({ value }));
    const one = identity(1);
    const oneString = identity('1');
    expect(one).not.toBe(oneString);
    expect(identity(0)).not.toBe(identity(-0));
    expect(identity(1)).toBe(one);
  });

  it('treats undefined and null results as hits', () => {
    const memoizer = new Memoizer();
    const returnsUndefined = vi.fn((_x: number) => undefined);
    const returnsNull = vi.fn((_x: number) => null);
    const a = memoizer.memoize()(returnsUndefined);
    const b = memoizer.memoize()(returnsNull);
    a(1);
    a(1);
    b(1);
    b(1);
    expect(returnsUndefined).toHaveBeenCalledTimes(1);
    expect(returnsNull).toHaveBeenCalledTimes(1);
  });

  it('keys objects by value whatever their property order', () => {
    const memoizer = new Memoizer();
    const slow = vi.fn((options: { a: number; b: { c: number; d: number } }) => options.a);
    const fast = memoizer.memoize()(slow);
    fast({ a: 1, b: { c: 2, d: 3 } });
    fast({ b: { d: 3, c: 2 }, a: 1 });
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('never caches thrown errors', () => {
    const memoizer = new Memoizer();
    let calls = 0;
    const flaky = memoizer.memoize()((x: number) => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return x;
    });
    expect(() => flaky(1)).toThrow('boom');
    expect(flaky(1)).toBe(1);
    expect(flaky(1)).toBe(1);
    expect(calls).toBe(2);
  });

  it('keeps the name and length of the wrapped function', () => {
    function add(a: number, b: number) {
      return a + b;
    }
    const memoizer = new Memoizer();
    for (const wrapped of [memoizer.memoize()(add), memoizer.record()(add), memoizer.replay()(add), memoize(add)]) {
      expect(wrapped.name).toBe('add');
      expect(wrapped.length).toBe(2);
    }
  });

  it('passes `this` through to the function', () => {
    const memoizer = new Memoizer();
    const object = {
      factor: 3,
      times: memoizer.memoize()(function (this: { factor: number }, x: number) {
        return x * this.factor;
      }),
    };
    expect(object.times(2)).toBe(6);
  });

  it('throws KeyEncodingError naming the argument path for a function argument', () => {
    const memoizer = new Memoizer();
    const fast = memoizer.memoize()((_a: number, _b: unknown) => 1);
    try {
      fast(1, { options: { onDone() {} } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KeyEncodingError);
      expect((error as KeyEncodingError).path).toBe('args[1].options.onDone');
      expect((error as KeyEncodingError).code).toBe('ERR_MEMOTAPE_KEY_ENCODING');
    }
  });

  it('uses paramsEncoder to identify calls', () => {
    const memoizer = new Memoizer();
    const slow = vi.fn((id: number, _callback: () => void) => id * 2);
    const fast = memoizer.memoize({ paramsEncoder: (id: number) => ({ id }) })(slow);
    expect(fast(2, () => {})).toBe(4);
    expect(fast(2, () => {})).toBe(4);
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('applies resultEncoder and resultDecoder factories with the function and the arguments', () => {
    const memoizer = new Memoizer();
    const seen: unknown[] = [];
    const slow = vi.fn((x: number) => ({ value: x }));
    const fast = memoizer.memoize<[number], { value: number }, string>({
      resultEncoder: (fn) => (x) => (result) => {
        seen.push(['encode', fn === slow, x]);
        return JSON.stringify(result);
      },
      resultDecoder: (fn) => (x) => (encoded) => {
        seen.push(['decode', fn === slow, x]);
        return { ...JSON.parse(encoded), decoded: true };
      },
    })(slow);
    expect(fast(5)).toEqual({ value: 5 });
    expect(fast(5)).toEqual({ value: 5, decoded: true });
    expect(seen).toEqual([
      ['encode', true, 5],
      ['decode', true, 5],
    ]);
  });

  it('propagates errors thrown by a result encoder and caches nothing', () => {
    const memoizer = new Memoizer();
    let fail = true;
    const slow = vi.fn((x: number) => x);
    const fast = memoizer.memoize({
      resultEncoder: () => () => (result) => {
        if (fail) throw new Error('encoder failed');
        return result;
      },
    })(slow);
    expect(() => fast(1)).toThrow('encoder failed');
    fail = false;
    expect(fast(1)).toBe(1);
    expect(fast(1)).toBe(1);
    expect(slow).toHaveBeenCalledTimes(2);
  });
});

describe('record and replay', () => {
  it('replays what record stored for the same function object', () => {
    const memoizer = new Memoizer();
    const slow = vi.fn((x: number) => x * 10);
    const recorded = memoizer.record()(slow);
    const replayed = memoizer.replay()(slow);
    expect(recorded(2)).toBe(20);
    expect(replayed(2)).toBe(20);
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('always calls the function in record, and a later record replaces the entry', () => {
    const memoizer = new Memoizer();
    let version = 0;
    const read = memoizer.record({ name: 'read' })(() => ++version);
    const replayed = memoizer.replay({ name: 'read' })(() => -1);
    read();
    read();
    expect(version).toBe(2);
    expect(replayed()).toBe(2);
  });

  it('shares entries between wrappers with the same name option', () => {
    const memoizer = new Memoizer();
    memoizer.record({ name: 'lookup' })((id: number) => `user-${id}`)(7);
    const stub = vi.fn((_id: number) => 'never');
    expect(memoizer.replay({ name: 'lookup' })(stub)(7)).toBe('user-7');
    expect(stub).not.toHaveBeenCalled();
  });

  it('never shares entries between two different unnamed functions', () => {
    const memoizer = new Memoizer();
    const first = memoizer.memoize()((x: number) => `first ${x}`);
    const second = memoizer.memoize()((x: number) => `second ${x}`);
    expect(first(1)).toBe('first 1');
    expect(second(1)).toBe('second 1');
  });

  it('throws CacheMissError with the key and function name on a replay miss, without calling the function', () => {
    const memoizer = new Memoizer();
    const fetchUser = vi.fn((id: number) => id);
    const replayed = memoizer.replay({ name: 'fetchUser' })(fetchUser);
    try {
      replayed(1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CacheMissError);
      expect((error as CacheMissError).functionName).toBe('fetchUser');
      expect((error as CacheMissError).key).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(fetchUser).not.toHaveBeenCalled();
  });

  it('cacheClear removes every entry', () => {
    const memoizer = new Memoizer();
    const slow = vi.fn((x: number) => x);
    const fast = memoizer.memoize()(slow);
    fast(1);
    memoizer.cacheClear();
    memoizer.cacheClear();
    fast(1);
    expect(slow).toHaveBeenCalledTimes(2);
  });
});

describe('used bare as a decorator', () => {
  it('fails with a TypeError that asks for the parentheses, called without its memoizer or with decorator arguments', () => {
    const memoizer = new Memoizer();
    const method = function area(width: number, height: number) {
      return width * height;
    };
    const unbound = memoizer.memoize as (...args: unknown[]) => unknown;
    const asked = /decorate a method with `@memoizer.memoize\(\)`, with the parentheses/;
    expect(() => unbound(method, { kind: 'method', name: 'area' })).toThrow(asked);
    expect(() => unbound({}, 'area', { value: method })).toThrow(asked);
    const bound = memoizer.record.bind(memoizer) as (...args: unknown[]) => unknown;
    expect(() => bound({}, 'area', { value: method })).toThrow(/`@memoizer.record\(\)`, with the parentheses/);
  });
});

describe('caching disabled', () => {
  it('returns the function itself from record and memoize, and replay always misses', () => {
    configure({ enabled: false });
    const memoizer = new Memoizer();
    const slow = (x: number) => x;
    expect(memoizer.memoize()(slow)).toBe(slow);
    expect(memoizer.record()(slow)).toBe(slow);
    const replayed = memoizer.replay()(slow);
    expect(() => replayed(1)).toThrow(CacheMissError);
  });

  it('gives the function an invalidate that resolves and a peek that answers undefined, so Memoized code runs', async () => {
    configure({ enabled: false });
    const memoizer = new Memoizer();
    const slow = vi.fn((x: number) => x * 2);
    const memoized = memoizer.memoize({ name: 'slow' })(slow);
    expect(memoized(2)).toBe(4);
    expect(memoized.peek(2)).toBeUndefined();
    await expect(memoized.invalidate(2)).resolves.toBeUndefined();
    expect(memoizer.replay({ name: 'slow' })(slow).peek(2)).toBeUndefined();
    expect(asMemoized(memoized)).toBe(slow);
    expect(Object.keys(slow)).not.toContain('peek');
    expect(Object.keys(slow)).not.toContain('invalidate');
  });

  it('leaves a frozen function, and one with methods of its own, as they are', () => {
    const memoizer = new Memoizer();
    const wrapped = memoizer.memoize({ name: 'twice' })((x: number) => x * 2);
    wrapped(1);
    configure({ enabled: false });
    expect(new Memoizer().memoize({ name: 'again' })(wrapped).peek(1)).toBe(2);
    const frozen = Object.freeze((x: number) => x);
    expect(new Memoizer().memoize({ name: 'frozen' })(frozen)).toBe(frozen);
    expect(Object.hasOwn(frozen, 'peek')).toBe(false);
  });
});

describe('promises', () => {
  it('runs the function once for concurrent identical calls and shares the promise', async () => {
    const memoizer = new Memoizer();
    const gate = deferred<number>();
    const slow = vi.fn((_x: number) => gate.promise);
    const fast = memoizer.memoize()(slow);
    const first = fast(1);
    const second = fast(1);
    expect(second).toBe(first);
    gate.resolve(42);
    await expect(first).resolves.toBe(42);
    const hit = fast(1);
    expect(hit).toBeInstanceOf(Promise);
    await expect(hit).resolves.toBe(42);
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('never caches a rejection: every waiter sees it and the next call retries', async () => {
    const memoizer = new Memoizer();
    const gate = deferred<number>();
    let calls = 0;
    const fast = memoizer.memoize()((_x: number) => {
      calls++;
      return calls === 1 ? gate.promise : Promise.resolve(7);
    });
    const first = fast(1);
    const second = fast(1);
    gate.reject(new Error('nope'));
    await expect(first).rejects.toThrow('nope');
    await expect(second).rejects.toThrow('nope');
    await expect(fast(1)).resolves.toBe(7);
    await expect(fast(1)).resolves.toBe(7);
    expect(calls).toBe(2);
  });

  it('replay returns the pending promise while a recording is in flight', async () => {
    const memoizer = new Memoizer();
    const gate = deferred<string>();
    const load = (_id: number) => gate.promise;
    const recorded = memoizer.record()(load);
    const replayed = memoizer.replay()(load);
    const pending = recorded(1);
    expect(replayed(1)).toBe(pending);
    gate.resolve('done');
    await expect(replayed(1)).resolves.toBe('done');
  });

  it('gives the encoder the settled value of a promise and decodes hits into a promise', async () => {
    const memoizer = new Memoizer();
    const encoded: unknown[] = [];
    const fast = memoizer.memoize<[number], Promise<{ n: number }>, number>({
      resultEncoder: () => () => (value) => {
        encoded.push(value);
        return value.n;
      },
      resultDecoder: () => () => (n) => ({ n }),
    })(async (n: number) => ({ n }));
    await expect(fast(3)).resolves.toEqual({ n: 3 });
    expect(encoded).toEqual([{ n: 3 }]);
    const hit = fast(3);
    expect(hit).toBeInstanceOf(Promise);
    await expect(hit).resolves.toEqual({ n: 3 });
  });
});

describe('DeferredRecording from an encoder', () => {
  it('stores the entry when the recording is finalized and serves the interim result meanwhile', () => {
    const memoizer = new Memoizer();
    const recordings: DeferredRecording<string, string>[] = [];
    const slow = vi.fn((x: number) => `job-${x}`);
    const fast = memoizer.memoize<[number], string, string>({
      resultEncoder: () => () => (result) => {
        const recording = new DeferredRecording<string, string>({ makeInterimResult: () => `${result} (pending)` });
        recordings.push(recording);
        return recording;
      },
    })(slow);
    expect(fast(1)).toBe('job-1');
    expect(fast(1)).toBe('job-1 (pending)');
    recordings[0]!.finalize('job-1 (final)');
    expect(fast(1)).toBe('job-1 (final)');
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('runs the function again after a recording is abandoned', () => {
    const memoizer = new Memoizer();
    const recordings: DeferredRecording[] = [];
    const slow = vi.fn((x: number) => x);
    const fast = memoizer.memoize({
      resultEncoder: () => () => () => {
        const recording = new DeferredRecording({ makeInterimResult: () => 'interim' });
        recordings.push(recording);
        return recording;
      },
    })(slow);
    fast(1);
    expect(fast(1)).toBe('interim');
    recordings[0]!.abandon(new Error('cancelled'));
    expect(fast(1)).toBe(1);
    expect(slow).toHaveBeenCalledTimes(2);
  });

  it('runs the function again while pending when there is no interim result', () => {
    const memoizer = new Memoizer();
    const slow = vi.fn((x: number) => x);
    const fast = memoizer.memoize({ resultEncoder: () => () => () => new DeferredRecording() })(slow);
    fast(1);
    fast(1);
    expect(slow).toHaveBeenCalledTimes(2);
  });
});

describe('options checks', () => {
  it('refuses an array, and paths with NUL bytes, naming the option', () => {
    expect(() => new Memoizer([] as never)).toThrow(/options object for Memoizer, got an array/);
    expect(() => new Memoizer({ preloadFrom: 'dump\0.json' })).toThrow(
      /`preloadFrom` to be a non-empty path without NUL/,
    );
    expect(() => configure({ cacheDir: '/tmp/a\0b' })).toThrow(/`cacheDir` to be a non-empty path without NUL/);
  });
});
