import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { validatePathOption } from './options.js';

/**
 * Process-wide settings. Each can come from an environment variable (read once, at first use) or from
 * {@link configure}, which wins.
 *
 * @example
 * ```ts
 * import { configure } from 'memotape';
 * configure({ dump: true, cacheDir: '/tmp/memotape' });
 * ```
 */
export interface MemotapeSettings {
  /**
   * When false, `record` and `memoize` return the function itself and `replay` always throws `CacheMissError`.
   * Environment: `MEMOTAPE_DISABLE=1` turns caching off.
   * @default true
   */
  readonly enabled: boolean;
  /**
   * Merge every memoizer's entries into `<cacheDir>/memoizer_cache.json` when the process exits.
   * Environment: `MEMOTAPE_DUMP=1`.
   * @default false
   */
  readonly dump: boolean;
  /**
   * A dump file each memoizer preloads its own collection from when it is created.
   * Environment: `MEMOTAPE_DUMP_FILE=<path>`.
   * @default undefined
   */
  readonly preloadFrom: string | undefined;
  /**
   * Where memotape keeps its files. Environment: `MEMOTAPE_CACHE_DIR`.
   * @default the user cache directory from env-paths (`~/.cache/memotape` on Linux)
   */
  readonly cacheDir: string;
}

/** The options {@link configure} accepts: any subset of {@link MemotapeSettings}. */
export type ConfigureOptions = { readonly [K in keyof MemotapeSettings]?: MemotapeSettings[K] | undefined };

let environmentSettings: MemotapeSettings | undefined;
let overrides: ConfigureOptions = {};
let resolved: MemotapeSettings | undefined;
const listeners = new Set<(settings: MemotapeSettings) => void>();

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off', '']);

function readBoolean(variable: string, environment: NodeJS.ProcessEnv): boolean | undefined {
  const raw = environment[variable];
  if (raw === undefined) return undefined;
  const normalized = raw.trim().toLowerCase();
  if (TRUE_VALUES.has(normalized)) return true;
  if (FALSE_VALUES.has(normalized)) return false;
  throw new ConfigError(
    variable,
    `${variable} must be one of 1, 0, true, false, yes, no, on, off (got ${JSON.stringify(raw)})`,
  );
}

function readPath(variable: string, environment: NodeJS.ProcessEnv): string | undefined {
  const raw = environment[variable];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.includes('\0'))
    throw new ConfigError(variable, `${variable} must be a file system path (it contains a NUL byte)`);
  return path.resolve(raw);
}

function defaultCacheDir(): string {
  // env-paths is loaded only when a cache dir is first needed, so importing memotape touches nothing.
  const requireFromHere = createRequire(import.meta.url);
  const envPaths = requireFromHere('env-paths') as (name: string, options: { suffix: string }) => { cache: string };
  return envPaths('memotape', { suffix: '' }).cache;
}

/** Reads the `MEMOTAPE_*` environment variables; invalid values throw a {@link ConfigError} naming the variable. */
export function readEnvironment(environment: NodeJS.ProcessEnv = process.env): MemotapeSettings {
  const disabled = readBoolean('MEMOTAPE_DISABLE', environment);
  return {
    enabled: disabled === undefined ? true : !disabled,
    dump: readBoolean('MEMOTAPE_DUMP', environment) ?? false,
    preloadFrom: readPath('MEMOTAPE_DUMP_FILE', environment),
    cacheDir: readPath('MEMOTAPE_CACHE_DIR', environment) ?? '',
  };
}

function validateOverrides(options: ConfigureOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('`configure()` expects an options object');
  }
  const known = new Set(['enabled', 'dump', 'preloadFrom', 'cacheDir']);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw new TypeError(`Unknown option \`${name}\` passed to configure()`);
  }
  for (const name of ['enabled', 'dump'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`Expected \`${name}\` to be a boolean, got ${typeof value}`);
    }
  }
  for (const name of ['preloadFrom', 'cacheDir'] as const) {
    const value = options[name];
    validatePathOption(value, name);
  }
}

/**
 * The current settings: environment variables (read once) overlaid with {@link configure} overrides.
 *
 * @example
 * ```ts
 * import { getSettings } from 'memotape';
 * console.log(getSettings().cacheDir);
 * ```
 */
export function getSettings(): MemotapeSettings {
  if (resolved) return resolved;
  environmentSettings ??= readEnvironment();
  const merged = { ...environmentSettings };
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined) (merged as Record<string, unknown>)[name] = value;
  }
  if (merged.cacheDir === '') merged.cacheDir = defaultCacheDir();
  else merged.cacheDir = path.resolve(merged.cacheDir);
  if (merged.preloadFrom !== undefined) merged.preloadFrom = path.resolve(merged.preloadFrom);
  resolved = Object.freeze(merged);
  return resolved;
}

/**
 * Overrides settings for this process; options you pass win over the environment. Returns the new settings.
 * Memoizers read `enabled` when they wrap a function and `preloadFrom` when they are created.
 *
 * @example
 * ```ts
 * import { configure } from 'memotape';
 * configure({ enabled: process.env.NODE_ENV !== 'development', dump: true });
 * ```
 */
export function configure(options: ConfigureOptions): MemotapeSettings {
  validateOverrides(options);
  overrides = { ...overrides, ...options };
  resolved = undefined;
  const settings = getSettings();
  for (const listener of listeners) listener(settings);
  return settings;
}

/** @internal Called when settings change (the exit dump uses it to arm itself when `dump` turns on). */
export function onSettingsChange(listener: (settings: MemotapeSettings) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** @internal Forgets overrides and the cached environment; for tests. */
export function resetSettingsForTests(): void {
  overrides = {};
  environmentSettings = undefined;
  resolved = undefined;
}
