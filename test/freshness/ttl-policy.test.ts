import { afterEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { resetSettingsForTests } from '../../src/config.js';
import { normalizeTags, resolveLifetime, staticLifetime } from '../../src/freshness/ttl-policy.js';
import { Memoizer } from '../../src/index.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { manualClock } from './helpers.js';

let warnings: MockInstance<typeof process.emitWarning>;

afterEach(() => {
  vi.restoreAllMocks();
  resetSettingsForTests();
  resetWarningsForTests();
});

function quietWarnings(): void {
  warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
}

describe('ttl as a function of the result and the arguments', () => {
  it('gives each call its own lifetime (a day-long report lives longer than an hour-long one)', () => {
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now });
    const build = vi.fn((range: 'day' | 'hour') => ({ range }));
    const report = memoizer.memoize({
      name: 'report',
      ttl: (_report: { range: string }, range: 'day' | 'hour') => (range === 'day' ? 3_600_000 : 60_000),
    })(build);
    report('day');
    report('hour');
    clock.advance(60_000);
    report('day');
    report('hour');
    expect(build).toHaveBeenCalledTimes(3);
    clock.advance(3_540_000);
    report('day');
    expect(build).toHaveBeenCalledTimes(4);
  });

  it('receives the settled value of a promise, and 0 means the result is not stored', async () => {
    const memoizer = new Memoizer();
    const ttl = vi.fn((result: { cacheable: boolean }) => (result.cacheable ? 1000 : 0));
    const fetchThing = vi.fn(async (id: number) => ({ cacheable: id % 2 === 0 }));
    const fast = memoizer.memoize({ ttl })(fetchThing);
    await fast(1);
    await fast(1);
    await fast(2);
    await fast(2);
    expect(fetchThing).toHaveBeenCalledTimes(3);
    expect(ttl).toHaveBeenCalledWith({ cacheable: false }, 1);
  });

  it('is accepted on the memoizer too', () => {
    const clock = manualClock();
    const memoizer = new Memoizer({ clock: clock.now, ttl: (_result: unknown, n: number) => n * 10 });
    const identity = vi.fn((n: number) => n);
    const fast = memoizer.memoize()(identity);
    fast(1);
    fast(5);
    clock.advance(10);
    fast(1);
    fast(5);
    expect(identity).toHaveBeenCalledTimes(3);
  });

  it('keeps the result unstored, with one warning and an error count, when the function throws or answers garbage', () => {
    quietWarnings();
    const memoizer = new Memoizer();
    const compute = vi.fn((n: number) => n);
    const throwing = memoizer.memoize({
      name: 'throwing',
      ttl: () => {
        throw new Error('no ttl for you');
      },
    })(compute);
    const garbage = memoizer.memoize({ name: 'garbage', ttl: () => -5 })(compute);
    expect(throwing(1)).toBe(1);
    expect(throwing(1)).toBe(1);
    expect(garbage(2)).toBe(2);
    expect(compute).toHaveBeenCalledTimes(3);
    expect(memoizer.stats().errors).toBe(3);
    expect(warnings.mock.calls.map(([, options]) => (options as { code: string }).code)).toEqual([
      'MEMOTAPE_FRESHNESS_OPTION_FAILED',
      'MEMOTAPE_FRESHNESS_OPTION_FAILED',
    ]);
  });
});

describe('validation', () => {
  it.each([
    [{ ttl: -1 }, '`ttl`'],
    [{ ttl: 'soon' }, '`ttl`'],
    [{ ttl: Number.NaN }, '`ttl`'],
    [{ tags: ['user:1'] }, '`tags`'],
    [{ staleWhileRevalidate: -1, ttl: 1 }, '`staleWhileRevalidate`'],
    [{ staleWhileRevalidate: Number.POSITIVE_INFINITY, ttl: 1 }, '`staleWhileRevalidate`'],
    [{ staleWhileRevalidate: 1000 }, '`ttl`'],
  ])('refuses %j with a TypeError naming the option', (options, name) => {
    const memoizer = new Memoizer();
    expect(() => memoizer.memoize(options as never)).toThrow(TypeError);
    expect(() => memoizer.memoize(options as never)).toThrow(name);
  });

  it('refuses a memoizer ttl that is neither a number nor a function', () => {
    expect(() => new Memoizer({ ttl: 'forever' as never })).toThrow(/`ttl`/);
  });

  it('accepts staleWhileRevalidate with the memoizer ttl', () => {
    expect(() => new Memoizer({ ttl: 1000 }).memoize({ staleWhileRevalidate: 1000 })).not.toThrow();
  });
});

describe('lifetime helpers', () => {
  it('decide a fixed TTL once, and per call only for functions or tags', () => {
    expect(staticLifetime({ ttl: 5, tags: undefined, staleWhileRevalidate: undefined })).toEqual({
      ttl: 5,
      staleWhileRevalidate: undefined,
      tags: undefined,
    });
    expect(staticLifetime({ ttl: 0, tags: undefined, staleWhileRevalidate: undefined })).toBeUndefined();
    expect(staticLifetime({ ttl: () => 1, tags: undefined, staleWhileRevalidate: undefined })).toBeNull();
    expect(staticLifetime({ ttl: 1, tags: () => [], staleWhileRevalidate: undefined })).toBeNull();
  });

  it('drops duplicate and refuses empty or non-string tags', () => {
    expect(normalizeTags(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(normalizeTags([])).toBeUndefined();
    expect(() => normalizeTags(['a', ''])).toThrow(TypeError);
    expect(() => normalizeTags('a')).toThrow(TypeError);
    const fail = vi.fn();
    expect(resolveLifetime({ ttl: 1, tags: () => [1 as never], staleWhileRevalidate: undefined }, 0, [], fail)).toBe(
      undefined,
    );
    expect(fail).toHaveBeenCalledWith('tags', expect.any(TypeError));
  });
});
