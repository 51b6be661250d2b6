import { ConfigError, FixtureModeError } from '../errors.js';
import { describeValue } from '../options.js';

/**
 * What a fixture tape does with calls:
 *
 * - `auto`: replay what the file has, record what it lacks (`replay` when the `CI` environment variable is set);
 * - `replay`: never call the function; a miss throws `CacheMissError` and fails `save()`;
 * - `new`: replay hits, record misses;
 * - `all`: call everything and re-record it (entries the run does not use are kept);
 * - `off`: call the function every time; read and write nothing.
 *
 * @example
 * ```ts
 * fixtures(file, { mode: 'replay' }); // or MEMOTAPE_MODE=replay in the environment
 * ```
 */
export type FixtureMode = 'auto' | 'replay' | 'new' | 'all' | 'off';

/**
 * Where the effective mode came from: the `mode` option, `MEMOTAPE_MODE`, the `CI` variable (which turns `auto`
 * into `replay`), or the default (`auto`).
 */
export type FixtureModeSource = 'option' | 'MEMOTAPE_MODE' | 'CI' | 'default';

/** The mode a tape runs in, and why. */
export interface ResolvedFixtureMode {
  /** The effective mode: `auto` becomes `replay` when `CI` is set. */
  readonly mode: FixtureMode;
  /** Where it came from. */
  readonly source: FixtureModeSource;
}

/** Every mode, in the order error messages list them. */
export const FIXTURE_MODES: readonly FixtureMode[] = ['auto', 'replay', 'new', 'all', 'off'];

const ALLOWED = FIXTURE_MODES.join(', ');
const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['', '0', 'false', 'no', 'off']);

function isMode(value: unknown): value is FixtureMode {
  return typeof value === 'string' && (FIXTURE_MODES as readonly string[]).includes(value);
}

/**
 * Whether the `CI` variable is set. CI services set it to `true` (or `1`); an empty value, `0` and `false` count as
 * unset, so `CI=false` on a laptop records as usual.
 */
export function isCi(environment: NodeJS.ProcessEnv = process.env): boolean {
  const value = environment.CI;
  return value !== undefined && !FALSE_VALUES.has(value.trim().toLowerCase());
}

function allowsRecordingInCi(environment: NodeJS.ProcessEnv): boolean {
  const raw = environment.MEMOTAPE_ALLOW_RECORD_IN_CI;
  if (raw === undefined) return false;
  const normalized = raw.trim().toLowerCase();
  if (TRUE_VALUES.has(normalized)) return true;
  if (FALSE_VALUES.has(normalized)) return false;
  throw new ConfigError(
    'MEMOTAPE_ALLOW_RECORD_IN_CI',
    `MEMOTAPE_ALLOW_RECORD_IN_CI must be one of 1, 0, true, false, yes, no, on, off (got ${JSON.stringify(raw)})`,
  );
}

/** The mode asked for, before CI is taken into account. */
function requestedMode(option: unknown, environment: NodeJS.ProcessEnv): ResolvedFixtureMode {
  if (option !== undefined) {
    if (!isMode(option)) {
      throw new TypeError(`Expected \`mode\` to be one of ${ALLOWED}, got ${describeValue(option)}`);
    }
    return { mode: option, source: 'option' };
  }
  const raw = environment.MEMOTAPE_MODE;
  if (raw === undefined || raw.trim() === '') return { mode: 'auto', source: 'default' };
  const normalized = raw.trim().toLowerCase();
  if (!isMode(normalized)) {
    throw new ConfigError('MEMOTAPE_MODE', `MEMOTAPE_MODE must be one of ${ALLOWED} (got ${JSON.stringify(raw)})`);
  }
  return { mode: normalized, source: 'MEMOTAPE_MODE' };
}

/**
 * Resolves a tape's mode: the `mode` option wins over `MEMOTAPE_MODE`, which wins over the default `auto`; with `CI`
 * set, `auto` means `replay`, and `new` or `all` throw a {@link FixtureModeError} unless
 * `MEMOTAPE_ALLOW_RECORD_IN_CI=1`. An unknown mode throws: a `TypeError` for the option, a `ConfigError` naming
 * `MEMOTAPE_MODE` for the variable.
 *
 * @example
 * ```ts
 * resolveFixtureMode(undefined, { CI: 'true' }); // { mode: 'replay', source: 'CI' }
 * resolveFixtureMode('new', {});                 // { mode: 'new', source: 'option' }
 * ```
 */
export function resolveFixtureMode(option: unknown, environment: NodeJS.ProcessEnv = process.env): ResolvedFixtureMode {
  const requested = requestedMode(option, environment);
  if (!isCi(environment)) return requested;
  if (requested.mode === 'auto') return { mode: 'replay', source: 'CI' };
  if ((requested.mode === 'new' || requested.mode === 'all') && !allowsRecordingInCi(environment)) {
    const setting =
      requested.source === 'option' ? `the \`mode: '${requested.mode}'\` option` : `MEMOTAPE_MODE=${requested.mode}`;
    throw new FixtureModeError(
      requested.mode,
      requested.source,
      `${setting} records fixtures, but CI is set: CI replays the committed fixtures and never records. Record locally (without CI) and commit the file, or set MEMOTAPE_ALLOW_RECORD_IN_CI=1 in a deliberate refresh job.`,
    );
  }
  return requested;
}

/** How a mode reads in messages, e.g. `replay (auto, with CI set)` or `new (from MEMOTAPE_MODE)`. */
export function describeMode(resolved: ResolvedFixtureMode): string {
  switch (resolved.source) {
    case 'CI':
      return `${resolved.mode} (auto, because the CI environment variable is set)`;
    case 'option':
      return `${resolved.mode} (from the \`mode\` option)`;
    case 'MEMOTAPE_MODE':
      return `${resolved.mode} (from MEMOTAPE_MODE)`;
    default:
      return `${resolved.mode} (the default)`;
  }
}
