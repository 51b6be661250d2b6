import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeTagged, type Json } from '../codec.js';
import { type DumpCollection, type DumpEntry, toDumpEntry } from '../dump/dump-format.js';
import { PreloadStore } from '../dump/preload.js';
import { CacheMissError, UnrecordedCallsError } from '../errors.js';
import { withoutCache } from '../freshness/memoized.js';
import { warn } from '../internal/warn.js';
import { internals, Memoizer } from '../memoizer.js';
import type { Namespace } from '../memory-tier.js';
import { type AnyFunction, validateBooleanOption, type WrapOptions } from '../options.js';
import type { Store, StoredEntry } from '../stores/store.js';
import type { WrapperKind } from '../wrap.js';
import { cancelExitSave, registerExitSave } from './exit-save.js';
import { type LoadedFixture, loadFixture, writeFixture } from './fixture-file.js';
import { describeMode, type FixtureMode, type FixtureModeSource, isCi, resolveFixtureMode } from './fixture-mode.js';
import { composeFixtureWrap, type FixtureWrapHost } from './fixture-wrap.js';
import { describeCall, missMessage, recordAdvice } from './miss-report.js';
import { createRedactor, type RedactOptions, type Redactor, validateRedactOptions } from './redact.js';

/**
 * Options of `fixtures()`. All optional.
 *
 * @example
 * ```ts
 * fixtures(new URL('./__fixtures__/github.json', import.meta.url), {
 *   mode: 'replay',
 *   redact: { secrets: ['GITHUB_TOKEN'], keys: /authorization/i },
 *   recordErrors: true,
 * });
 * ```
 */
export interface FixtureOptions {
  /**
   * What the tape does with calls (see {@link FixtureMode}); wins over `MEMOTAPE_MODE`.
   * @default `MEMOTAPE_MODE`, else `auto` (which means `replay` when the `CI` variable is set)
   */
  readonly mode?: FixtureMode | undefined;
  /**
   * Secrets and properties to remove from params and results before they are keyed and stored.
   * @default undefined (nothing is redacted)
   */
  readonly redact?: RedactOptions | undefined;
  /**
   * Record an Error the function throws (name, message, `code`, own enumerable primitive properties) and throw it
   * again on replay, as an Error of the same name.
   * @default false
   */
  readonly recordErrors?: boolean | undefined;
}

/**
 * What `save()` did: `written` (the file changed), `unchanged` (nothing new, or the same bytes: the file was not
 * touched), or `skipped` (modes `replay` and `off` never write).
 *
 * @example
 * ```ts
 * const { status, recorded } = tape.save();
 * ```
 */
export interface FixtureSaveResult {
  readonly status: 'written' | 'unchanged' | 'skipped';
  /** The fixture file. */
  readonly file: string;
  /** How many calls this run recorded (new entries and re-recorded ones). */
  readonly recorded: number;
}

/**
 * An entry of the fixture file that this run neither replayed nor re-recorded, from `tape.unused()`.
 *
 * @example
 * ```ts
 * for (const { namespace, params } of tape.unused()) console.log(namespace, JSON.stringify(params));
 * ```
 */
export interface UnusedFixtureEntry {
  /** The entry's 32-hex key. */
  readonly key: string;
  /** The function (its persisted namespace). */
  readonly namespace: string;
  /** The recorded params, in tagged JSON. */
  readonly params: Json;
}

const OPTION_NAMES = new Set(['mode', 'redact', 'recordErrors']);

function toFilePath(file: unknown): string {
  if (file instanceof URL) {
    if (file.protocol !== 'file:') throw new TypeError(`Expected \`file\` to be a file: URL, got ${file.href}`);
    return fileURLToPath(file);
  }
  if (typeof file !== 'string' || file === '') {
    throw new TypeError(
      'Expected `file` to be a path string or a file: URL, e.g. new URL("./__fixtures__/api.json", import.meta.url)',
    );
  }
  return path.resolve(file);
}

function validateOptions(options: unknown): asserts options is FixtureOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`Unknown option \`${name}\` passed to fixtures()`);
  }
  validateRedactOptions((options as FixtureOptions).redact);
  validateBooleanOption((options as FixtureOptions).recordErrors, 'recordErrors');
}

/** The preload tier of a tape: the file's entries, noting which ones the run replayed. */
class FixtureStore implements Store {
  readonly #inner: PreloadStore;
  readonly #used: Set<string>;

  constructor(inner: PreloadStore, used: Set<string>) {
    this.#inner = inner;
    this.#used = used;
  }

  get(key: string): StoredEntry | undefined {
    const entry = this.#inner.get(key);
    if (entry !== undefined) this.#used.add(key);
    return entry;
  }

  set(): never {
    throw new TypeError('The fixture tier is read-only');
  }

  delete(): boolean {
    return false;
  }

  clear(): void {
    this.#inner.clear();
  }
}

interface RecordedMiss {
  readonly error: CacheMissError;
  readonly call: string;
}

/**
 * A Memoizer bound to one fixture file (the dump file's format), made by {@link fixtures}. It preloads the file
 * when it is created, replays and records as its mode says, and writes only that file, on `save()`: atomically,
 * stably, and not at all when the bytes would not change. Entries are redacted before they are keyed and stored.
 * `record`, `replay` and `memoize` work as on a Memoizer, as wrappers and as decorators; every wrapped function
 * needs a stable name (a `name` option, or its own name).
 *
 * @example
 * ```ts
 * const tape = fixtures(new URL('./__fixtures__/github.json', import.meta.url));
 * const getUser = tape.memoize({ name: 'github.getUser' })(github.getUser);
 * afterAll(() => tape.save());
 * ```
 */
export class FixtureMemoizer extends Memoizer {
  /** The fixture file (an absolute path). */
  readonly file: string;
  /** The effective mode: `auto` has become `replay` when the `CI` variable is set. */
  readonly mode: FixtureMode;
  /** Where the mode came from: the `mode` option, `MEMOTAPE_MODE`, `CI`, or the default. */
  readonly modeSource: FixtureModeSource;
  readonly #recordErrors: boolean;
  readonly #redactor: Redactor;
  readonly #loaded: LoadedFixture | undefined;
  readonly #used = new Set<string>();
  readonly #recorded = new Set<string>();
  readonly #misses: RecordedMiss[] = [];
  /** Misses since the last `save()`: the exit fallback warns about them. */
  #unreportedMisses = 0;
  /** Whether this run recorded something that `save()` has not written yet. */
  #dirty = false;

  constructor(file: string | URL, options: FixtureOptions = {}) {
    const filePath = toFilePath(file);
    validateOptions(options);
    const resolved = resolveFixtureMode(options.mode);
    super();
    this.file = filePath;
    this.mode = resolved.mode;
    this.modeSource = resolved.source;
    this.#recordErrors = options.recordErrors ?? false;
    this.#redactor = createRedactor(options.redact);
    if (this.mode === 'off') return;
    this.#loaded = loadFixture(filePath);
    const entries = this.#loaded.contents.collections.get(this.collection);
    if (entries !== undefined && entries.size > 0) {
      const hooks = this[internals];
      hooks.addTier({
        name: 'preload',
        store: new FixtureStore(new PreloadStore(entries, hooks.clock()), this.#used),
        readOnly: true,
      });
    }
  }

  /** @internal A tape reads and writes its own file only: never the preload setting or the exit dump. */
  protected override joinsDumpLayer(): boolean {
    return false;
  }

  /** @internal Every recorded call is persisted, so every wrapped function needs a stable, unique name. */
  protected override requiresPersistedNamespace(): boolean {
    return true;
  }

  /** @internal Wraps `fn` as the mode says; see src/testing/fixture-wrap.ts. */
  override wrapFunction(kind: WrapperKind, fn: AnyFunction, options: WrapOptions, namespace?: Namespace): AnyFunction {
    if (this.mode === 'off') return withoutCache(fn);
    const persistName = namespace === undefined ? (options.name ?? (fn.name || undefined)) : namespace.persistName;
    const composed = composeFixtureWrap(this.#wrapHost(), kind, fn, options, persistName);
    const inner = super.wrapFunction(composed.kind, composed.target, composed.options, namespace);
    return composed.finish(inner);
  }

  /**
   * Writes this tape's recordings to its file and reports the run's misses. The file is written atomically (temp
   * file, rename) with sorted keys, 2-space indent and LF line ends, and only when its bytes change; entries the run
   * did not use are kept. Before writing, the whole content is scanned for the `redact.secrets` values: a survivor
   * throws {@link SecretLeakError} and nothing is written. Modes `replay` and `off` never write. When any call of the
   * run missed (even one the code under test caught), throws {@link UnrecordedCallsError} listing every miss.
   *
   * @example
   * ```ts
   * afterAll(() => tape.save());
   * ```
   */
  save(): FixtureSaveResult {
    // Whatever happens below, the error (or the result) reaches the caller: the exit fallback has nothing to add.
    cancelExitSave(this);
    this.#unreportedMisses = 0;
    let status: FixtureSaveResult['status'] = 'skipped';
    if (this.mode !== 'off' && this.mode !== 'replay') status = this.#dirty ? this.#write() : 'unchanged';
    if (this.#misses.length > 0) throw this.#missesError();
    return { status, file: this.file, recorded: this.#recorded.size };
  }

  /**
   * The file's entries (of this tape's collection) that this run neither replayed nor re-recorded: after a full run,
   * candidates for removal. They are kept by `save()`, so a filtered run never loses fixtures.
   *
   * @example
   * ```ts
   * afterAll(() => { tape.save(); console.log(tape.unused()); });
   * ```
   */
  unused(): UnusedFixtureEntry[] {
    const entries = this.#loaded?.contents.collections.get(this.collection);
    if (entries === undefined) return [];
    const unused: UnusedFixtureEntry[] = [];
    for (const [key, entry] of entries) {
      if (!this.#used.has(key) && !this.#recorded.has(key)) {
        unused.push({ key, namespace: entry.namespace, params: entry.params });
      }
    }
    return unused.sort((a, b) =>
      a.namespace === b.namespace ? (a.key < b.key ? -1 : 1) : a.namespace < b.namespace ? -1 : 1,
    );
  }

  /**
   * Every miss of the run so far, in order: the CacheMissErrors replay wrappers threw, caught or not.
   *
   * @example
   * ```ts
   * expect(tape.misses()).toHaveLength(0);
   * ```
   */
  misses(): CacheMissError[] {
    return this.#misses.map((miss) => miss.error);
  }

  /** @internal The exit fallback: writes unsaved recordings, and warns about misses `save()` never reported. */
  saveAtExit(): void {
    if (this.#unreportedMisses > 0) {
      warn(
        'MEMOTAPE_FIXTURE_MISSES',
        `${this.#missesError().message}\n(Call tape.save() in an afterAll hook, so that misses fail the suite.)`,
        `fixture-misses:${this.file}`,
      );
    }
    if (this.#dirty && this.mode !== 'replay') this.#write();
  }

  #write(): 'written' | 'unchanged' {
    const recorded: DumpCollection = new Map();
    for (const { key, entry } of this[internals].exportEntries()) {
      if (this.#recorded.has(key)) recorded.set(key, toDumpEntry(entry));
    }
    const status = writeFixture(this.file, this.collection, recorded, this.#redactor.secrets);
    this.#dirty = false;
    return status;
  }

  #missesError(): UnrecordedCallsError {
    const count = this.#misses.length;
    const calls = this.#misses.slice(0, 10).map((miss) => `  - ${miss.call}`);
    if (count > 10) calls.push(`  - and ${count - 10} more`);
    const first = this.#misses[0]?.error.message ?? '';
    return new UnrecordedCallsError(
      this.file,
      this.misses(),
      [
        `${count} ${count === 1 ? 'call was' : 'calls were'} not recorded in ${this.file}: the run is incomplete, even where the code under test caught the CacheMissError.`,
        `Mode: ${describeMode({ mode: this.mode, source: this.modeSource })}`,
        ...calls,
        recordAdvice(isCi(), this.modeSource === 'option', count),
        '',
        `The first miss:\n${first}`,
      ].join('\n'),
    );
  }

  #recordedEntries(namespace: string): { own: DumpEntry[]; others: string[] } {
    const own: DumpEntry[] = [];
    const others = new Set<string>();
    for (const entry of this.#loaded?.contents.collections.get(this.collection)?.values() ?? []) {
      if (entry.namespace === namespace) own.push(entry);
      else others.add(entry.namespace);
    }
    return { own, others: [...others].sort() };
  }

  #wrapHost(): FixtureWrapHost {
    return {
      mode: this.mode,
      redactor: this.#redactor,
      recordErrors: this.#recordErrors,
      markRecorded: (key) => {
        this.#recorded.add(key);
        if (!this.#dirty) {
          this.#dirty = true;
          registerExitSave(this);
        }
      },
      recordedAsPromise: (namespace) => this.#recordedEntries(namespace).own.some((entry) => entry.promise),
      reportMiss: (miss, namespace, params) => this.#reportMiss(miss, namespace, params),
    };
  }

  #reportMiss(miss: CacheMissError, namespace: string, paramsOf: () => unknown): CacheMissError {
    let params: Json | undefined;
    try {
      params = encodeTagged(paramsOf(), 'params');
    } catch {
      params = undefined;
    }
    const { own, others } = this.#recordedEntries(namespace);
    const message = missMessage({
      functionName: namespace,
      key: miss.key,
      mode: describeMode({ mode: this.mode, source: this.modeSource }),
      ci: isCi(),
      modeFromOption: this.modeSource === 'option',
      file: this.file,
      fileExists: this.#loaded?.exists ?? false,
      recorded: own,
      otherFunctions: others,
      params,
    });
    const detailed = new CacheMissError(miss.functionName, miss.key, message);
    this.#misses.push({ error: detailed, call: describeCall(namespace, params) });
    this.#unreportedMisses++;
    registerExitSave(this);
    return detailed;
  }
}

/**
 * Binds a fixture tape to one file (a path, or a `file:` URL such as `new URL('./__fixtures__/x.json',
 * import.meta.url)`): one fixture file per test file, committed next to it. The file is read now; a corrupt one
 * throws a DumpError. Throws a FixtureModeError when the mode would record in CI.
 *
 * @example
 * ```ts
 * import { fixtures } from 'memotape/testing';
 * const tape = fixtures(new URL('./__fixtures__/github.json', import.meta.url));
 * const getUser = tape.memoize({ name: 'github.getUser' })(github.getUser);
 * afterAll(() => tape.save());
 * ```
 */
export function fixtures(file: string | URL, options: FixtureOptions = {}): FixtureMemoizer {
  return new FixtureMemoizer(file, options);
}
