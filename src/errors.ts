/**
 * The stable error codes of memotape. Test against `error.code`, not the message text.
 *
 * @example
 * ```ts
 * try { replayed(1); } catch (error) { if (error instanceof MemotapeError && error.code === 'ERR_MEMOTAPE_CACHE_MISS') { ... } }
 * ```
 */
export type MemotapeErrorCode =
  | 'ERR_MEMOTAPE_CACHE_MISS'
  | 'ERR_MEMOTAPE_KEY_ENCODING'
  | 'ERR_MEMOTAPE_RESULT_ENCODING'
  | 'ERR_MEMOTAPE_CONFIG'
  | 'ERR_MEMOTAPE_NAMESPACE'
  | 'ERR_MEMOTAPE_DEFERRED_STATE'
  | 'ERR_MEMOTAPE_DECORATOR'
  | 'ERR_MEMOTAPE_DUMP'
  | 'ERR_MEMOTAPE_STORE'
  | 'ERR_MEMOTAPE_REDIS'
  | 'ERR_MEMOTAPE_FIXTURE_MODE'
  | 'ERR_MEMOTAPE_UNRECORDED_CALLS'
  | 'ERR_MEMOTAPE_SECRET_LEAK';

/**
 * Base class of every error memotape throws on purpose. Each subclass has a literal `name` and a stable `code`.
 *
 * @example
 * ```ts
 * import { MemotapeError } from 'memotape';
 * if (error instanceof MemotapeError) console.error(error.code);
 * ```
 */
export class MemotapeError extends Error {
  override readonly name: string = 'MemotapeError';
  /** A stable, machine-readable code such as `ERR_MEMOTAPE_CACHE_MISS`. */
  readonly code: MemotapeErrorCode;

  constructor(code: MemotapeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Thrown by a `replay` wrapper (and by `memoize` in strict modes) when no result is stored for a call.
 *
 * @example
 * ```ts
 * const replayed = memoizer.replay({ name: 'fetchUser' })(fetchUser);
 * try { replayed(1); } catch (error) { if (error instanceof CacheMissError) console.log(error.key, error.functionName); }
 * ```
 */
export class CacheMissError extends MemotapeError {
  override readonly name = 'CacheMissError' as const;
  /** The 32-hex key of the call when it could be computed, else the in-memory key's description. */
  readonly key: string;
  /** The namespace (the `name` option, else the function's own name; `'<anonymous>'` when it has none). */
  readonly functionName: string;

  constructor(functionName: string, key: string, message?: string) {
    super(
      'ERR_MEMOTAPE_CACHE_MISS',
      message ?? `No cached result for ${functionName} (key ${key}). Record it first, or call the memoized function.`,
    );
    this.functionName = functionName;
    this.key = key;
  }
}

/**
 * Thrown when a call's parameters cannot be encoded into a stable key (functions, symbols, promises, circular
 * references, class instances). `path` names the offending value, e.g. `args[1].options.onDone`.
 *
 * @example
 * ```ts
 * try { fast({ onDone() {} }); } catch (error) { if (error instanceof KeyEncodingError) console.log(error.path); }
 * ```
 */
export class KeyEncodingError extends MemotapeError {
  override readonly name = 'KeyEncodingError' as const;
  /** Where the value sits in the parameters, e.g. `args[1].options.onDone`. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(
      'ERR_MEMOTAPE_KEY_ENCODING',
      `Cannot build a cache key: ${path} is ${reason}. Pass a \`paramsEncoder\` option that maps the arguments to plain data.`,
    );
    this.path = path;
  }
}

/**
 * Thrown when a result cannot be stored faithfully as tagged JSON (for the dump file, the disk tier or a fixture), or
 * when stored tagged JSON cannot be read back (`reading`: a damaged value, or one written by another version).
 *
 * @example
 * ```ts
 * import { ResultEncodingError } from 'memotape';
 * if (error instanceof ResultEncodingError) console.log(error.path);
 * ```
 */
export class ResultEncodingError extends MemotapeError {
  override readonly name = 'ResultEncodingError' as const;
  /** Where the value sits in the result, e.g. `result.handlers[0]`. */
  readonly path: string;
  /** What the value is that could not be stored or read, e.g. `a function`. */
  readonly reason: string;

  constructor(path: string, reason: string, reading = false) {
    super(
      'ERR_MEMOTAPE_RESULT_ENCODING',
      reading
        ? `Cannot read the stored value at ${path}: it is ${reason}. The value is damaged, or was written by another version of memotape.`
        : `Cannot store ${path}: it is ${reason}. Pass a \`resultEncoder\` and \`resultDecoder\` that map it to plain data.`,
    );
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Thrown when a setting is invalid; `variable` names the environment variable or `configure()` option.
 *
 * @example
 * ```ts
 * // MEMOTAPE_DUMP=maybe node app.js
 * // ConfigError: MEMOTAPE_DUMP must be one of 1, 0, true, false (got "maybe")
 * ```
 */
export class ConfigError extends MemotapeError {
  override readonly name = 'ConfigError' as const;
  /** The environment variable or option at fault, e.g. `MEMOTAPE_DUMP`. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super('ERR_MEMOTAPE_CONFIG', message);
    this.variable = variable;
  }
}

/**
 * Thrown when persisted entries would have no stable namespace (an anonymous function) or when two different
 * functions would share one persisted namespace.
 *
 * @example
 * ```ts
 * new PersistentMemoizer().memoize()(() => 1); // NamespaceError: give the function a `name` option
 * ```
 */
export class NamespaceError extends MemotapeError {
  override readonly name = 'NamespaceError' as const;
  /** The namespace at fault (`'<anonymous>'` for a function without a name). */
  readonly namespace: string;

  constructor(namespace: string, message: string) {
    super('ERR_MEMOTAPE_NAMESPACE', message);
    this.namespace = namespace;
  }
}

/**
 * Thrown by `DeferredRecording.finalize()` when the recording was already finalized or abandoned.
 *
 * @example
 * ```ts
 * recording.finalize(1);
 * recording.finalize(2); // DeferredStateError
 * ```
 */
export class DeferredStateError extends MemotapeError {
  override readonly name = 'DeferredStateError' as const;

  constructor(message: string) {
    super('ERR_MEMOTAPE_DEFERRED_STATE', message);
  }
}

/**
 * Thrown when a decorator cannot apply to a class member: not a method or getter, a per-instance method on a
 * persistent memoizer without an `instanceKey` or `shared` option, or a decorated method called without an instance.
 *
 * @example
 * ```ts
 * const persistent = new PersistentMemoizer();
 * class Repo {
 *   @persistent.memoize() find(id: string) {} // DecoratorError: give an `instanceKey` or `shared: true` option
 * }
 * ```
 */
export class DecoratorError extends MemotapeError {
  override readonly name = 'DecoratorError' as const;
  /** The decorated member, as `Class.member` (or just `member` when the class is not known yet). */
  readonly member: string;

  constructor(member: string, message: string) {
    super('ERR_MEMOTAPE_DECORATOR', message);
    this.member = member;
  }
}

/**
 * Why a dump file could not be read or merged: `unreadable` (an I/O error other than a missing file), `corrupt` (not
 * JSON, or not the dump format), `unsupported-version` (a `version` this memotape does not know), `locked` (the lock
 * stayed busy for the whole budget), `unwritable` (the folder or file cannot be written).
 */
export type DumpErrorReason = 'unreadable' | 'corrupt' | 'unsupported-version' | 'locked' | 'unwritable';

/**
 * A dump file that cannot be read, parsed or written. Exit-time and preload failures are never thrown into your
 * program: they become one warning, and `flushDump()` reports them in its result.
 *
 * @example
 * ```ts
 * import { DumpError, flushDump } from 'memotape';
 * const outcome = flushDump();
 * if (outcome.error instanceof DumpError) console.log(outcome.error.reason, outcome.error.file);
 * ```
 */
export class DumpError extends MemotapeError {
  override readonly name = 'DumpError' as const;
  /** The dump file (or side file) at fault. */
  readonly file: string;
  /** What went wrong, as a stable literal. */
  readonly reason: DumpErrorReason;

  constructor(file: string, reason: DumpErrorReason, message: string, options?: { cause?: unknown }) {
    super('ERR_MEMOTAPE_DUMP', message, options);
    this.file = file;
    this.reason = reason;
  }
}

/**
 * A problem of the Redis tier (`memotape/redis`): the `redis` package is missing, or an explicit administrative call
 * such as `remote.clear()` could not reach the server. Cache reads and writes never throw it: they count the failure
 * and emit it as an `'error'` event instead. Messages never contain a password.
 *
 * @example
 * ```ts
 * remote.on('error', (error: RedisTierError) => console.warn(error.operation, error.message));
 * ```
 */
export class RedisTierError extends MemotapeError {
  override readonly name = 'RedisTierError' as const;
  /** What memotape was doing: `import`, `get`, `set`, `delete`, `clear`, `acquire`, `renew`, `complete`, `subscribe`. */
  readonly operation: string;

  constructor(operation: string, message: string) {
    super('ERR_MEMOTAPE_REDIS', message);
    this.operation = operation;
  }
}

/**
 * Thrown by `fixtures()` (`memotape/testing`) when the mode would record in CI: with the `CI` environment variable
 * set, the modes `new` and `all` need `MEMOTAPE_ALLOW_RECORD_IN_CI=1` (a deliberate refresh job).
 *
 * @example
 * ```ts
 * // CI=true MEMOTAPE_MODE=new npx vitest run
 * // FixtureModeError: MEMOTAPE_MODE=new records fixtures, but CI is set ...
 * ```
 */
export class FixtureModeError extends MemotapeError {
  override readonly name = 'FixtureModeError' as const;
  /** The mode that was refused: `new` or `all`. */
  readonly mode: string;
  /** Where the mode came from: the `mode` option or `MEMOTAPE_MODE`. */
  readonly source: string;

  constructor(mode: string, source: string, message: string) {
    super('ERR_MEMOTAPE_FIXTURE_MODE', message);
    this.mode = mode;
    this.source = source;
  }
}

/**
 * Thrown by a fixture tape's `save()` when calls of the run were not in the fixture file, even when the code under
 * test caught each {@link CacheMissError}: a swallowed miss still fails the suite. `misses` holds every one.
 *
 * @example
 * ```ts
 * afterAll(() => tape.save()); // UnrecordedCallsError: 2 calls were not recorded in test/__fixtures__/github.json ...
 * ```
 */
export class UnrecordedCallsError extends MemotapeError {
  override readonly name = 'UnrecordedCallsError' as const;
  /** The fixture file. */
  readonly file: string;
  /** Every miss of the run, in order; each message says how to record that call. */
  readonly misses: readonly CacheMissError[];

  constructor(file: string, misses: readonly CacheMissError[], message: string) {
    super('ERR_MEMOTAPE_UNRECORDED_CALLS', message);
    this.file = file;
    this.misses = misses;
  }
}

/**
 * Where a secret value was found in a fixture or dump: which secret (the environment variable's name, never its
 * value), how it was encoded, and the entry and JSON path that hold it.
 */
export interface SecretLeak {
  /** The environment variable whose value was found. */
  readonly secretName: string;
  /** How the value appeared: as it is, URL-encoded, or base64-encoded. */
  readonly encoding: 'raw' | 'url' | 'base64';
  /** The collection of the entry. */
  readonly collection: string;
  /** The entry's 32-hex key. */
  readonly key: string;
  /** The entry's namespace: the function. */
  readonly namespace: string;
  /** The JSON path inside the entry, e.g. `params.args[0].headers.authorization` or `result.token`. */
  readonly path: string;
}

/**
 * Thrown when a fixture file would be written with a secret value in it: the last scan before every write found one
 * that redaction missed. The file is left as it was. Messages name the variable, never its value.
 *
 * @example
 * ```ts
 * try { tape.save(); } catch (error) { if (error instanceof SecretLeakError) console.log(error.leaks[0]?.path); }
 * ```
 */
export class SecretLeakError extends MemotapeError {
  override readonly name = 'SecretLeakError' as const;
  /** The file that was not written. */
  readonly file: string;
  /** Every place a secret was found. */
  readonly leaks: readonly SecretLeak[];

  constructor(file: string, leaks: readonly SecretLeak[], message: string) {
    super('ERR_MEMOTAPE_SECRET_LEAK', message);
    this.file = file;
    this.leaks = leaks;
  }
}
