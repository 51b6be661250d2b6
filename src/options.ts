import type { DeferredRecording } from './deferred-recording.js';
import {
  type TagsFunction,
  type Ttl,
  validateStaleWhileRevalidate,
  validateTagsOption,
  validateTtlOption,
} from './freshness/ttl-policy.js';
import type { RemoteStore } from './stores/store.js';

/** Any function memotape can wrap. */
export type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * The seed's three-level result encoder factory: `factory(fn)` receives the unwrapped function, then the call's
 * arguments, then the result, and returns the encoded result or a {@link DeferredRecording} that finalizes later.
 * For a function that returns a promise, the encoder receives the settled value.
 *
 * @example
 * ```ts
 * const resultEncoder: ResultEncoderFactory<[string], User, string> = () => () => (user) => JSON.stringify(user);
 * ```
 */
export type ResultEncoderFactory<A extends unknown[] = unknown[], R = unknown, E = unknown> = (
  fn: AnyFunction,
) => (...args: A) => (result: Awaited<R>) => E | DeferredRecording<R, E>;

/**
 * The seed's three-level result decoder factory: `factory(fn)` then the call's arguments, then the encoded result.
 * For a function that returned a promise, the memoizer wraps the decoded value in a promise.
 *
 * @example
 * ```ts
 * const resultDecoder: ResultDecoderFactory<[string], User, string> = () => () => (text) => JSON.parse(text);
 * ```
 */
export type ResultDecoderFactory<A extends unknown[] = unknown[], R = unknown, E = unknown> = (
  fn: AnyFunction,
) => (...args: A) => (encoded: E) => Awaited<R>;

/**
 * Options of `record`, `replay` and `memoize`. All optional.
 *
 * @example
 * ```ts
 * memoizer.memoize({ name: 'fetchUser', paramsEncoder: (id: number) => ({ id }), ttl: 60_000 })(fetchUser);
 * ```
 */
export interface WrapOptions<A extends unknown[] = any[], R = unknown, E = unknown> {
  /**
   * The function's namespace. Wrappers with the same `name` share entries; persisted entries (dump, disk, remote)
   * need a stable name.
   * @default the function object in memory, and its own `.name` in anything persisted
   */
  readonly name?: string | undefined;
  /**
   * Maps the arguments to what identifies the call (and what dumps show as its params).
   * @default `(...args) => ({ args })`
   */
  readonly paramsEncoder?: ((...args: A) => unknown) | undefined;
  /** Encodes results before they are stored. @default the identity */
  readonly resultEncoder?: ResultEncoderFactory<A, R, E> | undefined;
  /** Decodes stored results before they are returned. @default the identity */
  readonly resultDecoder?: ResultDecoderFactory<A, R, E> | undefined;
  /**
   * Milliseconds an entry lives (for a promise, counted from when it settles), or a function of the result and the
   * arguments that answers them (`(report, range) => (range === 'day' ? 3_600_000 : 60_000)`). `0` means the result
   * is not stored. Overrides the memoizer's `ttl`.
   * @default the memoizer's `ttl` (no expiry)
   */
  readonly ttl?: Ttl<A, ResultOf<R>> | undefined;
  /**
   * The tags of a result: `(result, ...args) => string[]` (for a promise, the settled value). Tags are stored with
   * the entry (in memory, on disk, in the dump and in Redis), and `memoizer.invalidateTags(tags)` removes every entry
   * carrying one of them. See docs/freshness.md.
   * @default undefined (entries have no tags)
   */
  readonly tags?: TagsFunction<A, ResultOf<R>> | undefined;
  /**
   * Milliseconds after the TTL during which a stale result is still returned at once, while one background call
   * refreshes it (one per key in this process, and across processes with a Redis tier). A failed refresh keeps the
   * stale result until the window ends. Needs a `ttl`.
   * @default undefined (an expired entry is a miss)
   */
  readonly staleWhileRevalidate?: number | undefined;
}

/** The result type seen by `ttl` and `tags` functions: `any` when the wrapper's result type was not given. */
export type ResultOf<R> = unknown extends R ? any : R;

/**
 * Options that only method decorators take, on top of {@link WrapOptions}. Each instance keeps its own entries by
 * default; these say what identifies them in another process (the dump file, a disk or remote tier).
 *
 * @example
 * ```ts
 * class Repo {
 *   constructor(readonly id: string) {}
 *   @persistent.memoize({ instanceKey: (self: Repo) => self.id }) find(key: string) { ... }
 *   @persistent.memoize({ shared: true }) normalize(key: string) { ... }
 * }
 * ```
 */
export interface DecoratorOptions<This = any> {
  /**
   * Names the instance in anything persisted: entries go to the namespace `Class.method#<instanceKey(this)>`, so
   * instances with the same key share persisted entries (each still keeps its own in memory). Called once per
   * instance, at its first call of the method.
   * @default undefined (instances have no identity across processes; persistent memoizers then refuse the method)
   */
  readonly instanceKey?: ((self: This) => string) | undefined;
  /**
   * One namespace `Class.method` for every instance: `this` is left out of the key (the method still runs with the
   * calling instance as `this`). Use it for methods whose result does not depend on the instance.
   * @default false
   */
  readonly shared?: boolean | undefined;
}

/** Option names only method decorators accept. */
export const DECORATOR_OPTION_NAMES: ReadonlySet<string> = new Set(['instanceKey', 'shared']);

/** Checks the decorator-only options, as soon as they are given (before any class is decorated). */
export function validateDecoratorOptions(options: DecoratorOptions): void {
  validateFunctionOption(options.instanceKey, 'instanceKey');
  if (options.shared !== undefined && typeof options.shared !== 'boolean') {
    throw new TypeError(`Expected \`shared\` to be a boolean, got ${typeof options.shared}`);
  }
  if (options.instanceKey !== undefined && options.shared === true) {
    throw new TypeError('Expected either `instanceKey` or `shared: true`, not both');
  }
}

/**
 * Options of `new Memoizer()`. All optional.
 *
 * @example
 * ```ts
 * const memoizer = new Memoizer({ subKey: 'pad-mm', ttl: 60_000, maxEntries: 10_000 });
 * ```
 */
export interface MemoizerOptions {
  /**
   * The name of this memoizer's collection in the dump file (`"null"` when absent).
   * @default undefined
   */
  readonly subKey?: string | undefined;
  /**
   * A dump file to preload this memoizer's collection from, at construction.
   * @default the `preloadFrom` setting (`MEMOTAPE_DUMP_FILE`)
   */
  readonly preloadFrom?: string | undefined;
  /**
   * Milliseconds an entry lives, or a function of the result and the arguments that answers them; an expired entry
   * is a miss and is removed. For a promise, counted from when it settles. `0` means results are not stored.
   * @default undefined (entries never expire)
   */
  readonly ttl?: Ttl | undefined;
  /**
   * The most entries the memory tier holds; the least recently used is evicted first.
   * @default Infinity
   */
  readonly maxEntries?: number | undefined;
  /**
   * The clock used for TTLs and timestamps, in ms since the epoch; inject one in tests instead of sleeping.
   * @default Date.now
   */
  readonly clock?: (() => number) | undefined;
  /**
   * A shared remote tier (`new RedisStore(...)` from `memotape/redis`), consulted after memory (and disk) by
   * functions that return promises. Concurrent identical calls in every process that shares it compute once.
   * @default undefined (no remote tier)
   */
  readonly remote?: RemoteStore | undefined;
}

export function validateTtl(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`Expected \`${option}\` to be a non-negative number of milliseconds, got ${String(value)}`);
  }
  return value;
}

export function validateMaxEntries(value: unknown, option: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || !(value >= 1) || (!Number.isInteger(value) && value !== Number.POSITIVE_INFINITY)) {
    throw new TypeError(`Expected \`${option}\` to be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function validateFunctionOption(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`Expected \`${option}\` to be a function, got ${typeof value}`);
  }
}

export function validateStringOption(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new TypeError(`Expected \`${option}\` to be a non-empty string`);
  }
}

/** A value as an error message shows it: strings quoted, everything else (a BigInt, a Symbol) without throwing. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}

/** Checks an options argument: a plain object (not an array) whose every name is one of `names`. */
export function validateOptionsObject(options: unknown, names: ReadonlySet<string>, owner: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `Expected an options object for ${owner}, got ${Array.isArray(options) ? 'an array' : describeValue(options)}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!names.has(name)) throw new TypeError(`Unknown option \`${name}\` passed to ${owner}`);
  }
}

/** A file or folder path: a non-empty string without NUL bytes, which no file system accepts. */
export function validatePathOption(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '' || value.includes('\0'))) {
    throw new TypeError(
      `Expected \`${option}\` to be a non-empty path without NUL bytes, got ${typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}`,
    );
  }
}

export function validateBooleanOption(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`Expected \`${option}\` to be a boolean, got ${typeof value}`);
  }
}

// Characters some file systems refuse in a name, plus both path separators.
const UNSAFE_FOLDER_CHARACTERS = /[/\\\0<>:"|?*]/;

/** A single folder name: no separators, no `.`/`..`, not hidden (memotape keeps its own files under `.` names). */
export function validateFolderName(value: unknown, option: string): void {
  if (value === undefined) return;
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > 200 ||
    value.startsWith('.') ||
    UNSAFE_FOLDER_CHARACTERS.test(value)
  ) {
    throw new TypeError(
      `Expected \`${option}\` to be a single folder name (no path separators, not starting with "."), got ${describeValue(value)}`,
    );
  }
}

const WRAP_OPTION_NAMES = new Set([
  'name',
  'paramsEncoder',
  'resultEncoder',
  'resultDecoder',
  'ttl',
  'tags',
  'staleWhileRevalidate',
]);

/** Checks wrap options at once; unknown names are rejected so a typo never silently changes behaviour. */
export function validateWrapOptions(options: WrapOptions, extraNames: ReadonlySet<string> = new Set()): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
  for (const name of Object.keys(options)) {
    if (!WRAP_OPTION_NAMES.has(name) && !extraNames.has(name)) throw new TypeError(`Unknown option \`${name}\``);
  }
  validateStringOption(options.name, 'name');
  validateFunctionOption(options.paramsEncoder, 'paramsEncoder');
  validateFunctionOption(options.resultEncoder, 'resultEncoder');
  validateFunctionOption(options.resultDecoder, 'resultDecoder');
  validateTtlOption(options.ttl, 'ttl');
  validateTagsOption(options.tags, 'tags');
  validateStaleWhileRevalidate(options.staleWhileRevalidate, 'staleWhileRevalidate');
}
