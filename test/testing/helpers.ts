import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, type MockInstance, vi } from 'vitest';
import { resetSettingsForTests } from '../../src/config.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { resetExitSavesForTests } from '../../src/testing/exit-save.js';
import { fixtures } from '../../src/testing/fixtures.js';
import { removeTemporaryDirectories, temporaryDirectory } from '../dump/helpers.js';

export { removeTemporaryDirectories, temporaryDirectory };

/** The environment variables that change what a tape does; every test starts with all of them unset. */
const MODE_VARIABLES = ['CI', 'MEMOTAPE_MODE', 'MEMOTAPE_ALLOW_RECORD_IN_CI'] as const;

/**
 * Per-test isolation for tape tests: CI and the mode variables are cleared (the project's CI runs with CI=true),
 * warnings are captured instead of printed, and tapes left unsaved are dropped from the exit fallback so that
 * nothing is written into removed temp dirs when the worker exits.
 */
export function isolateTapes(): { warnings(): string[] } {
  let spy: MockInstance<typeof process.emitWarning> | undefined;
  beforeEach(() => {
    for (const name of MODE_VARIABLES) vi.stubEnv(name, '');
    spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    resetExitSavesForTests();
    resetWarningsForTests();
    resetSettingsForTests();
  });
  afterAll(removeTemporaryDirectories);
  return {
    warnings: () =>
      (spy?.mock.calls ?? []).map(([message, options]) => `${(options as { code: string }).code}: ${String(message)}`),
  };
}

/** A fixture path in a fresh temp dir (the file itself does not exist yet). */
export function fixturePath(name = 'api.json'): string {
  return path.join(temporaryDirectory('memotape-fixtures-'), '__fixtures__', name);
}

/** The parsed fixture file. */
export function readFixture(file: string): {
  cache_size: number;
  collections: Record<
    string,
    Record<string, { namespace: string; params: unknown; result: unknown; promise: boolean }>
  >;
} {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The entries of the fixture's `"null"` collection, as an array. */
export function fixtureEntries(file: string): { namespace: string; params: unknown; result: unknown }[] {
  return Object.values(readFixture(file).collections.null ?? {});
}

/** What identifies one version of a file on disk: a rename gives a new inode, a write a new mtime. */
export function fileIdentity(file: string): string {
  const stat = statSync(file, { bigint: true });
  return `${stat.ino}:${stat.mtimeNs}:${stat.size}`;
}

export function shouldNotRun(..._args: unknown[]): never {
  throw new Error('the function ran during a replay');
}

/** `fn`, counting its real calls in `.calls`. */
export function counted<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & { calls: number } {
  const wrapper = Object.assign(
    (...args: A) => {
      wrapper.calls++;
      return fn(...args);
    },
    { calls: 0 },
  );
  return wrapper;
}

export const getUser = async (login: string) => ({ login, joined: new Date(Date.UTC(2020, 0, 1)) });
export const area = (width: number, height: number) => width * height;

/** Records `calls` of `area` (namespace `area`) into `file` with a fresh tape in mode auto, and saves. */
export function recordAreas(file: string, calls: [number, number][]): void {
  const tape = fixtures(file);
  const wrapped = tape.memoize({ name: 'area' })(area);
  for (const [width, height] of calls) wrapped(width, height);
  tape.save();
}
