import { warn } from '../internal/warn.js';
import {
  formsPattern,
  MIN_SECRET_LENGTH,
  REDACTED,
  type SecretForm,
  secretForms,
  secretPlaceholder,
} from './secret-forms.js';
import { readSecretValues } from './secret-scan.js';

/**
 * What a fixture tape removes from params and results before they are keyed and stored. All optional.
 *
 * @example
 * ```ts
 * fixtures(file, {
 *   redact: {
 *     secrets: ['GITHUB_TOKEN'],
 *     keys: /authorization|cookie|password|secret|token|api[-_]?key/i,
 *     result: (result) => ({ ...(result as object), requestId: '<<redacted>>' }),
 *   },
 * });
 * ```
 */
export interface RedactOptions {
  /**
   * Names of environment variables whose values are replaced by `<<secret:NAME>>` wherever they occur in params and
   * results (as they are, URL-encoded or base64-encoded; in strings, property names and Buffers). Every write scans
   * the whole file for these values and refuses to write if one survived.
   * @default []
   */
  readonly secrets?: readonly string[] | undefined;
  /**
   * Properties (of plain objects and Maps) whose name matches get the value `<<redacted>>`, whatever it was. A
   * starting point is {@link SENSITIVE_KEYS}; mind that `/token/i` also matches `max_tokens`.
   * @default undefined (no property is redacted by name)
   */
  readonly keys?: RegExp | undefined;
  /**
   * Runs last on the params (`{ args }`, or what your `paramsEncoder` returns), after the secrets and keys. Must not
   * change its argument: return a new value.
   * @default the identity
   */
  readonly params?: ((params: unknown) => unknown) | undefined;
  /**
   * Runs last on each result to store (after your `resultEncoder`, the secrets and keys). Must not change its
   * argument: return a new value.
   * @default the identity
   */
  readonly result?: ((result: unknown) => unknown) | undefined;
}

/**
 * Property names that usually hold credentials: a starting point for `redact.keys`.
 *
 * @example
 * ```ts
 * fixtures(file, { redact: { keys: SENSITIVE_KEYS } });
 * ```
 */
export const SENSITIVE_KEYS: RegExp = /authorization|cookie|password|secret|token|api[-_]?key/i;

/** The redaction of one tape: built once, from the options and the environment at construction. */
export interface Redactor {
  /** The secret values by variable name (for the last scan before a write). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Redacts params; `defaultShape` marks the `{ args }` of the default encoder, whose `args` key is structure. */
  params(params: unknown, defaultShape: boolean): unknown;
  /** Redacts a result to store; the `result` hook runs last. */
  result(result: unknown): unknown;
  /** Redacts the record of a thrown error (secrets and keys; the `result` hook is for results only). */
  thrown(error: unknown): unknown;
}

const OPTION_NAMES = new Set(['secrets', 'keys', 'params', 'result']);
const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks the `redact` option at once; every problem is a TypeError naming the option. */
export function validateRedactOptions(options: unknown): asserts options is RedactOptions | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('Expected `redact` to be an object');
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`Unknown option \`redact.${name}\``);
  }
  const { secrets, keys, params, result } = options as RedactOptions;
  if (
    secrets !== undefined &&
    !(Array.isArray(secrets) && secrets.every((name) => typeof name === 'string' && ENVIRONMENT_NAME.test(name)))
  ) {
    throw new TypeError(
      'Expected `redact.secrets` to be an array of environment variable names, e.g. ["GITHUB_TOKEN"]',
    );
  }
  if (keys !== undefined && !(keys instanceof RegExp)) throw new TypeError('Expected `redact.keys` to be a RegExp');
  for (const [name, value] of [
    ['params', params],
    ['result', result],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(`Expected \`redact.${name}\` to be a function, got ${typeof value}`);
    }
  }
}

const objectPrototype = Object.prototype;

/** Replaces every occurrence of `search` in `bytes`; answers `undefined` when there is none. */
function replaceBytes(bytes: Buffer, search: Buffer, replacement: Buffer): Buffer | undefined {
  let index = bytes.indexOf(search);
  if (index === -1) return undefined;
  const parts: Buffer[] = [];
  let start = 0;
  while (index !== -1) {
    parts.push(bytes.subarray(start, index), replacement);
    start = index + search.length;
    index = bytes.indexOf(search, start);
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

function defineData(target: object, key: string, value: unknown): void {
  // defineProperty, not assignment: a `__proto__` key stays an own data property and never changes a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

class Walker {
  readonly #pattern: RegExp | undefined;
  readonly #placeholders: Map<string, string>;
  readonly #byteForms: { search: Buffer; replacement: Buffer }[];
  readonly #keys: RegExp | undefined;
  readonly #ancestors = new Set<object>();

  constructor(forms: readonly SecretForm[], keys: RegExp | undefined) {
    this.#pattern = formsPattern(forms);
    this.#placeholders = new Map(forms.map((form) => [form.text, secretPlaceholder(form.secretName)]));
    this.#byteForms = forms
      .filter((form) => form.encoding !== 'base64')
      .map((form) => ({
        search: Buffer.from(form.text, 'utf8'),
        replacement: Buffer.from(secretPlaceholder(form.secretName), 'utf8'),
      }));
    // Without the global and sticky flags, `test` keeps no state between calls.
    this.#keys = keys === undefined ? undefined : new RegExp(keys.source, keys.flags.replace(/[gy]/g, ''));
  }

  text(value: string): string {
    const pattern = this.#pattern;
    if (pattern === undefined) return value;
    pattern.lastIndex = 0;
    if (!pattern.test(value)) return value;
    pattern.lastIndex = 0;
    return value.replace(pattern, (match) => this.#placeholders.get(match) ?? match);
  }

  #isSensitive(key: unknown): boolean {
    return this.#keys !== undefined && typeof key === 'string' && this.#keys.test(key);
  }

  /** Answers the value itself when nothing in it changed, so untouched data is shared, never copied. */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    // A cycle cannot be stored anyway (the codec names it); leave it for that error.
    if (this.#ancestors.has(value)) return value;
    this.#ancestors.add(value);
    try {
      return this.#object(value);
    } finally {
      this.#ancestors.delete(value);
    }
  }

  #object(object: object): unknown {
    const prototype = Object.getPrototypeOf(object);
    if (Array.isArray(object)) return this.#array(object);
    if (prototype === objectPrototype || prototype === null) return this.#plain(object, prototype);
    if (object instanceof Map) return this.#map(object);
    if (object instanceof Set) {
      let changed = false;
      const members = [...object].map((member) => {
        const redacted = this.value(member);
        if (redacted !== member) changed = true;
        return redacted;
      });
      return changed ? new Set(members) : object;
    }
    if (object instanceof Error) return this.#error(object);
    if (object instanceof Uint8Array) return this.#bytes(object);
    return object;
  }

  #array(array: readonly unknown[]): unknown {
    let copy: unknown[] | undefined;
    for (let index = 0; index < array.length; index++) {
      if (!(index in array)) continue;
      const member = array[index];
      const redacted = this.value(member);
      if (redacted === member) continue;
      if (copy === undefined) copy = array.slice();
      copy[index] = redacted;
    }
    return copy ?? array;
  }

  #plain(object: object, prototype: object | null): unknown {
    const source = object as Record<string, unknown>;
    const keys = Object.keys(source);
    let changed = false;
    const members: [string, unknown][] = keys.map((key) => {
      const name = this.text(key);
      const member = source[key];
      const redacted = this.#isSensitive(key) ? REDACTED : this.value(member);
      if (name !== key || redacted !== member) changed = true;
      return [name, redacted];
    });
    if (!changed) return object;
    const copy = Object.create(prototype) as object;
    for (const [name, member] of members) defineData(copy, name, member);
    return copy;
  }

  #map(map: Map<unknown, unknown>): unknown {
    let changed = false;
    const members: [unknown, unknown][] = [];
    for (const [key, member] of map) {
      const redactedKey = this.value(key);
      const redacted = this.#isSensitive(key) ? REDACTED : this.value(member);
      if (redactedKey !== key || redacted !== member) changed = true;
      members.push([redactedKey, redacted]);
    }
    return changed ? new Map(members) : map;
  }

  #error(error: Error): unknown {
    const message = this.text(error.message);
    const props: [string, unknown][] = [];
    let changed = message !== error.message;
    for (const key of Object.keys(error)) {
      const member = (error as unknown as Record<string, unknown>)[key];
      const redacted = this.#isSensitive(key) ? REDACTED : this.value(member);
      if (redacted !== member) changed = true;
      props.push([key, redacted]);
    }
    const hasCause = Object.hasOwn(error, 'cause');
    const cause = hasCause ? this.value(error.cause) : undefined;
    if (cause !== error.cause) changed = true;
    if (!changed) return error;
    const copy = new Error(message);
    Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
    if (Object.hasOwn(error, 'name')) {
      Object.defineProperty(copy, 'name', { value: error.name, writable: true, configurable: true });
    }
    Object.defineProperty(copy, 'stack', { value: this.text(String(error.stack)), writable: true, configurable: true });
    if (hasCause) Object.defineProperty(copy, 'cause', { value: cause, writable: true, configurable: true });
    for (const [key, member] of props) defineData(copy, key, member);
    return copy;
  }

  #bytes(view: Uint8Array): unknown {
    let bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    let changed = false;
    for (const { search, replacement } of this.#byteForms) {
      const replaced = replaceBytes(bytes, search, replacement);
      if (replaced === undefined) continue;
      bytes = replaced;
      changed = true;
    }
    if (!changed) return view;
    return Buffer.isBuffer(view) ? Buffer.from(bytes) : new Uint8Array(bytes);
  }
}

/**
 * Builds the redaction of a tape: reads the secret values from the environment now (values shorter than 4
 * characters are ignored, with one warning), then substitutes secrets, redacts matching property names, and runs
 * the hooks last. Never changes the values it is given.
 */
export function createRedactor(options: RedactOptions = {}, environment: NodeJS.ProcessEnv = process.env): Redactor {
  const secrets = readSecretValues(options.secrets ?? [], environment);
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length < MIN_SECRET_LENGTH) {
      warn(
        'MEMOTAPE_SHORT_SECRET',
        `the value of ${name} has fewer than ${MIN_SECRET_LENGTH} characters: it is neither replaced nor scanned for.`,
        `short-secret:${name}`,
      );
    }
  }
  const walker = new Walker(secretForms(secrets), options.keys);
  const paramsHook = options.params;
  const resultHook = options.result;
  return {
    secrets,
    params(params, defaultShape) {
      let redacted: unknown;
      if (defaultShape) {
        const { args } = params as { args: unknown[] };
        const redactedArgs = walker.value(args);
        redacted = redactedArgs === args ? params : { args: redactedArgs };
      } else {
        redacted = walker.value(params);
      }
      return paramsHook === undefined ? redacted : paramsHook(redacted);
    },
    result(result) {
      const redacted = walker.value(result);
      return resultHook === undefined ? redacted : resultHook(redacted);
    },
    thrown(error) {
      return walker.value(error);
    },
  };
}
