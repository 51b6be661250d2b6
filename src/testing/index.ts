// The `memotape/testing` entry: fixture tapes recorded from real calls and replayed in tests (docs/testing.md).
import { fileURLToPath } from 'node:url';
import { readDumpFile } from '../dump/dump-file.js';
import { DUMP_VERSION } from '../dump/dump-format.js';
import type { SecretLeak } from '../errors.js';
import { readSecretValues, scanDumpForSecrets } from './secret-scan.js';

export type { SecretLeak } from '../errors.js';
export {
  CacheMissError,
  DumpError,
  FixtureModeError,
  MemotapeError,
  SecretLeakError,
  UnrecordedCallsError,
} from '../errors.js';
export type { FixtureMode, FixtureModeSource } from './fixture-mode.js';
export type { FixtureOptions, FixtureSaveResult, UnusedFixtureEntry } from './fixtures.js';
export { FixtureMemoizer, fixtures } from './fixtures.js';
export type { RedactOptions } from './redact.js';
export { SENSITIVE_KEYS } from './redact.js';
export { readSecretValues } from './secret-scan.js';

/**
 * Scans a fixture (or dump) file for the values of the named environment variables, as the last scan before every
 * write does: as they are, URL-encoded and base64-encoded. Answers every place one was found (empty when the file is
 * clean or missing). Useful in a pre-commit hook or a CI step. Throws a DumpError for a corrupt file.
 *
 * @example
 * ```ts
 * import { scanFixtureFile } from 'memotape/testing';
 * const leaks = scanFixtureFile('test/__fixtures__/github.json', ['GITHUB_TOKEN']);
 * if (leaks.length > 0) throw new Error(`${leaks[0].secretName} leaked at ${leaks[0].path}`);
 * ```
 */
export function scanFixtureFile(file: string | URL, secrets: readonly string[]): SecretLeak[] {
  const contents = readDumpFile(file instanceof URL ? fileURLToPath(file) : file);
  return scanDumpForSecrets(contents ?? { version: DUMP_VERSION, collections: new Map() }, readSecretValues(secrets));
}

export { withFreshCache } from '../freshness/fresh-cache.js';
