import { canonicalizeArgList } from './key.js';

/** Whether a Map tells `value` apart exactly as the canonical encoding does (-0 is the one primitive it does not). */
function isCacheable(value: unknown): boolean {
  const type = typeof value;
  if (type === 'number') return value !== 0 || 1 / (value as number) > 0;
  return type === 'string' || type === 'boolean' || type === 'undefined' || type === 'bigint' || value === null;
}

/**
 * The memory keys of calls with two or three primitive arguments, found argument by argument in nested Maps.
 *
 * Encoding such a call is cheap, but looking the freshly concatenated string up in the memory tier makes V8 flatten
 * and hash it, which measured ~200 ns, most of a hit. The cached key is the string object already stored in the
 * memory tier, whose hash V8 keeps. The mapping is pure (a call always has the same key), so the cache may forget
 * anything: it is cleared when it holds `limit` keys, and turns itself off for good when a full cache saw fewer
 * repeated calls than new ones (a stream of distinct calls would only pay for filling it).
 *
 * @example
 * ```ts
 * const keys = new PrimitiveKeyCache();
 * keys.keyOf(2, 1, 'a', undefined) === canonicalizeArgList(2, 1, 'a', undefined); // true
 * ```
 */
export class PrimitiveKeyCache {
  readonly #limit: number;
  #pairs = new Map<unknown, Map<unknown, string>>();
  #triples = new Map<unknown, Map<unknown, Map<unknown, string>>>();
  #size = 0;
  #repeats = 0;
  #enabled = true;

  constructor(limit = 4096) {
    this.#limit = limit;
  }

  /** Whether calls are still cached (false once the workload proved not to repeat). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** `canonicalizeArgList(count, first, second, third)` for a `count` of 2 or 3, from the cache when possible. */
  keyOf(count: 2 | 3, first: unknown, second: unknown, third: unknown): string {
    if (!this.#enabled || !isCacheable(first) || !isCacheable(second) || (count === 3 && !isCacheable(third))) {
      return canonicalizeArgList(count, first, second, third);
    }
    if (count === 2) {
      let level = this.#pairs.get(first);
      const cached = level?.get(second);
      if (cached !== undefined) return this.#repeated(cached);
      const key = canonicalizeArgList(2, first, second, undefined);
      if (level === undefined) {
        level = new Map();
        this.#pairs.set(first, level);
      }
      level.set(second, key);
      return this.#added(key);
    }
    let middle = this.#triples.get(first);
    let level = middle?.get(second);
    const cached = level?.get(third);
    if (cached !== undefined) return this.#repeated(cached);
    const key = canonicalizeArgList(3, first, second, third);
    if (middle === undefined) {
      middle = new Map();
      this.#triples.set(first, middle);
    }
    if (level === undefined) {
      level = new Map();
      middle.set(second, level);
    }
    level.set(third, key);
    return this.#added(key);
  }

  #repeated(key: string): string {
    this.#repeats++;
    return key;
  }

  #added(key: string): string {
    if (++this.#size >= this.#limit) {
      if (this.#repeats < this.#size) this.#enabled = false;
      this.#pairs = new Map();
      this.#triples = new Map();
      this.#size = 0;
      this.#repeats = 0;
    }
    return key;
  }
}
