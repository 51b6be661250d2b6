import { type InspectOptions, inspect } from 'node:util';
import { decodeTagged, type Json } from '../codec.js';
import { ResultEncodingError } from '../errors.js';
import { errorMessage } from './cache-dir.js';

/*
 * Recorded params and results are tagged JSON. For people they are decoded first and shown the way Node shows values
 * (a Date as its ISO time, a Map as `Map(1) { 'a' => 1 }`, a BigInt as `12n`); `--json` output keeps the tagged JSON.
 */

/**
 * The decoded value, or why the tagged JSON does not decode (a hand edit, an unknown tag), as
 * `<root path>: <reason>`, e.g. `result.items[2]: a tagged value with an unknown tag "X"`.
 */
export function decodeForDisplay(
  json: Json,
  root = 'value',
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: decodeTagged(json) };
  } catch (error) {
    if (!(error instanceof ResultEncodingError)) return { ok: false, error: errorMessage(error) };
    return { ok: false, error: `${root}${error.path.replace(/^json/, '')}: ${error.reason}` };
  }
}

const MULTILINE: InspectOptions = { depth: Number.POSITIVE_INFINITY, breakLength: 100, compact: 3, sorted: false };
const ONE_LINE: InspectOptions = {
  depth: 6,
  breakLength: Number.POSITIVE_INFINITY,
  compact: true,
  sorted: false,
  maxArrayLength: 20,
  maxStringLength: 200,
};

/** A decoded value as `util.inspect` shows it, over several lines when it is long. */
export function renderValue(json: Json, colors: boolean): string {
  const decoded = decodeForDisplay(json);
  if (!decoded.ok) return `${JSON.stringify(json)} (does not decode: ${decoded.error})`;
  return inspect(decoded.value, { ...MULTILINE, colors });
}

/** A decoded value on one line, for diffs. A string is shown as JSON (`"a"`), so quotes and escapes are exact. */
export function renderInline(json: Json): string {
  const decoded = decodeForDisplay(json);
  if (!decoded.ok) return JSON.stringify(json);
  if (typeof decoded.value === 'string') return JSON.stringify(decoded.value);
  return inspect(decoded.value, ONE_LINE);
}

/** The recorded arguments, when the params are the default `{ args: [...] }` (no `paramsEncoder`). */
function callArguments(params: Json): unknown[] | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const keys = Object.keys(params);
  if (keys.length !== 1 || keys[0] !== 'args' || !Array.isArray(params.args)) return undefined;
  const decoded = decodeForDisplay(params.args);
  return decoded.ok && Array.isArray(decoded.value) ? decoded.value : undefined;
}

/**
 * The call an entry records, as code: `fetchUser(1, { verbose: true })`. Params from a `paramsEncoder` have no
 * argument list; they are shown as a value after the name instead.
 */
export function renderCall(namespace: string, params: Json, colors: boolean, multiline = true): string {
  const args = callArguments(params);
  if (args === undefined) {
    return `${namespace} ${multiline ? renderValue(params, colors) : renderInline(params)}`;
  }
  const options = multiline ? { ...MULTILINE, colors } : ONE_LINE;
  return `${namespace}(${args.map((arg) => inspect(arg, options)).join(', ')})`;
}
