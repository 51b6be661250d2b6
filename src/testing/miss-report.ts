import { inspect } from 'node:util';
import { decodeTagged, type Json } from '../codec.js';
import type { DumpEntry } from '../dump/dump-format.js';

/*
 * The message of a replay miss: what was called, in which mode and why, what the fixture file holds for the
 * function, the nearest recorded calls with the paths where they differ, and the command that records the call.
 */

/** Everything a miss message says. */
export interface MissContext {
  /** The function's namespace. */
  readonly functionName: string;
  /** The call's 32-hex key. */
  readonly key: string;
  /** The mode and where it came from, e.g. `replay (from MEMOTAPE_MODE)`. */
  readonly mode: string;
  /** Whether the CI variable is set (recording must then happen elsewhere). */
  readonly ci: boolean;
  /** Whether the `mode` option set the mode (so `MEMOTAPE_MODE` cannot change it). */
  readonly modeFromOption: boolean;
  readonly file: string;
  readonly fileExists: boolean;
  /** The file's entries for this function. */
  readonly recorded: readonly DumpEntry[];
  /** Other functions the file has entries for, by namespace. */
  readonly otherFunctions: readonly string[];
  /** The call's params, redacted, in tagged JSON; `undefined` when they could not be encoded. */
  readonly params: Json | undefined;
}

/** One place where a recorded call's params differ from the call's. */
export interface ParamsDifference {
  /** Where, inside the params: `args[0].since`. */
  readonly path: string;
  readonly recorded: Json | undefined;
  readonly called: Json | undefined;
}

/** A recorded call close to the missed one. */
export interface NearCall {
  readonly params: Json;
  readonly differences: readonly ParamsDifference[];
}

const MAX_PARAMS_LENGTH = 300;
const MAX_VALUE_LENGTH = 80;
const MAX_NEAR_CALLS = 3;
const MAX_DIFFERENCES_SHOWN = 4;

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function isPlainObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A tagged value (`{ "$mt": ... }`) is a leaf: its parts mean nothing on their own. */
function isTagged(value: { [key: string]: Json }): boolean {
  return Object.hasOwn(value, '$mt');
}

function childPath(parent: string, key: string): string {
  const safe = /^[A-Za-z_$][\w$]*$/.test(key);
  if (parent === '') return safe ? key : `[${JSON.stringify(key)}]`;
  return safe ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Adds the paths where `recorded` and `called` differ to `out`. */
export function diffParams(
  recorded: Json | undefined,
  called: Json | undefined,
  path = '',
  out: ParamsDifference[] = [],
): ParamsDifference[] {
  if (Array.isArray(recorded) && Array.isArray(called)) {
    const length = Math.max(recorded.length, called.length);
    for (let index = 0; index < length; index++) diffParams(recorded[index], called[index], `${path}[${index}]`, out);
    return out;
  }
  if (isPlainObject(recorded) && isPlainObject(called) && !isTagged(recorded) && !isTagged(called)) {
    const keys = [...Object.keys(recorded)];
    for (const key of Object.keys(called)) if (!Object.hasOwn(recorded, key)) keys.push(key);
    for (const key of keys) {
      const before = Object.hasOwn(recorded, key) ? recorded[key] : undefined;
      const after = Object.hasOwn(called, key) ? called[key] : undefined;
      diffParams(before, after, childPath(path, key), out);
    }
    return out;
  }
  if (JSON.stringify(recorded) !== JSON.stringify(called)) {
    out.push({ path: path === '' ? '(params)' : path, recorded, called });
  }
  return out;
}

/** The recorded calls nearest to `params` (fewest differing paths first), at most three. */
export function nearestCalls(params: Json, recorded: readonly DumpEntry[], limit = MAX_NEAR_CALLS): NearCall[] {
  return recorded
    .map((entry, order) => ({ params: entry.params, differences: diffParams(entry.params, params), order }))
    .sort((a, b) => a.differences.length - b.differences.length || a.order - b.order)
    .slice(0, limit)
    .map(({ params: near, differences }) => ({ params: near, differences }));
}

/** A value as a person reads it: JSON for plain data, the decoded value for tagged types (a Date, a Map). */
function show(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  let text: string;
  if (isPlainObject(value) && isTagged(value)) {
    try {
      text = inspect(decodeTagged(value), { depth: 2, breakLength: Number.POSITIVE_INFINITY });
    } catch {
      text = JSON.stringify(value);
    }
  } else {
    text = JSON.stringify(value);
  }
  return truncate(text, MAX_VALUE_LENGTH);
}

function describeDifferences(differences: readonly ParamsDifference[]): string {
  if (differences.length === 0) return 'the same params (recorded under another key: was the function renamed?)';
  const shown = differences
    .slice(0, MAX_DIFFERENCES_SHOWN)
    .map(({ path, recorded, called }) => `${path}: ${show(recorded)} → ${show(called)}`);
  const more = differences.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

function describeFile(context: MissContext): string {
  if (!context.fileExists) return `${context.file} (it does not exist yet)`;
  const count = context.recorded.length;
  const own = `${count} ${count === 1 ? 'entry' : 'entries'} for ${context.functionName}`;
  if (count > 0 || context.otherFunctions.length === 0) return `${context.file} (${own})`;
  const others = context.otherFunctions.slice(0, 3).join(', ');
  const more = context.otherFunctions.length > 3 ? ', ...' : '';
  return `${context.file} (${own}; it has entries for ${others}${more}: was the function renamed?)`;
}

/**
 * How to record missing calls, as a sentence. A mode set by the `mode` option wins over `MEMOTAPE_MODE`, so the
 * advice then names the option instead of the variable.
 */
export function recordAdvice(ci: boolean, modeFromOption: boolean, count = 1): string {
  const them = count === 1 ? 'it' : 'them';
  if (modeFromOption) {
    return `To record ${them}, set the tape's \`mode\` option to 'new' (it overrides MEMOTAPE_MODE) and run the tests again${ci ? ' locally, without CI' : ''}, then review and commit the fixture.`;
  }
  const command = 'MEMOTAPE_MODE=new <test command>';
  return `To record ${them}, run ${ci ? `${command} locally, without CI` : command}, then review and commit the fixture.`;
}

/** The summary of a call: the function and its params, truncated. */
export function describeCall(functionName: string, params: Json | undefined): string {
  const text = params === undefined ? '(params that cannot be shown)' : JSON.stringify(params);
  return `${functionName} ${truncate(text, MAX_PARAMS_LENGTH)}`;
}

/**
 * The message of a replay miss. For example:
 *
 * ```text
 * No recorded result for github.getUser (key 9a1f...).
 * Mode: replay (from MEMOTAPE_MODE)
 * Fixture: /repo/test/__fixtures__/github.json (2 entries for github.getUser)
 * Call: github.getUser {"args":[{"since":"2026-06-01"}]}
 * Nearest recorded calls:
 *   1. args[0].since: "2026-05-01" → "2026-06-01"
 * To record it, run MEMOTAPE_MODE=new <test command>, then review and commit the fixture.
 * ```
 */
export function missMessage(context: MissContext): string {
  const lines = [
    `No recorded result for ${context.functionName} (key ${context.key}).`,
    `Mode: ${context.mode}`,
    `Fixture: ${describeFile(context)}`,
    `Call: ${describeCall(context.functionName, context.params)}`,
  ];
  if (context.params !== undefined && context.recorded.length > 0) {
    lines.push('Nearest recorded calls:');
    nearestCalls(context.params, context.recorded).forEach((near, index) => {
      lines.push(`  ${index + 1}. ${describeDifferences(near.differences)}`);
    });
  }
  lines.push(recordAdvice(context.ci, context.modeFromOption));
  return lines.join('\n');
}
