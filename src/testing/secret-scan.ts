import type { Json } from '../codec.js';
import type { DumpContents } from '../dump/dump-format.js';
import type { SecretLeak } from '../errors.js';
import { PLACEHOLDER_PATTERN, type SecretForm, secretForms } from './secret-forms.js';

export type { SecretLeak } from '../errors.js';

/*
 * The last scan before a fixture is written: every string of every entry (property names too) is searched for every
 * form of every secret value, whatever redaction did or did not do before. Placeholders are blanked out first, so a
 * secret that happens to be part of `<<secret:NAME>>` is not reported.
 */

function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** The first form found in `text`, per secret. */
function formsIn(text: string, forms: readonly SecretForm[]): SecretForm[] {
  const searchable = text.includes('<<') ? text.replace(PLACEHOLDER_PATTERN, '\u0000') : text;
  const found: SecretForm[] = [];
  const secrets = new Set<string>();
  for (const form of forms) {
    if (secrets.has(form.secretName) || !searchable.includes(form.text)) continue;
    secrets.add(form.secretName);
    found.push(form);
  }
  return found.sort((a, b) => (a.secretName < b.secretName ? -1 : 1));
}

function scanValue(
  value: Json | undefined,
  path: string,
  forms: readonly SecretForm[],
  report: (form: SecretForm, path: string) => void,
): void {
  if (typeof value === 'string') {
    for (const form of formsIn(value, forms)) report(form, path);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) scanValue(value[index], `${path}[${index}]`, forms, report);
    return;
  }
  for (const key of Object.keys(value)) {
    // The path names the object, never the property name: that name is what holds the secret.
    for (const form of formsIn(key, forms)) report(form, `${path} (a property name)`);
    scanValue(value[key], childPath(path, key), forms, report);
  }
}

/**
 * Searches every entry of a dump or fixture for the values of `secrets` (by name, e.g. from
 * {@link readSecretValues}): as they are, URL-encoded, and base64-encoded (both alphabets, at any alignment inside a
 * longer base64 text). Answers one leak per secret and place; an empty list means the content is clean. Values
 * shorter than 4 characters are not searched for.
 *
 * @example
 * ```ts
 * const leaks = scanDumpForSecrets(parseDump(text, file), readSecretValues(['GITHUB_TOKEN']));
 * for (const leak of leaks) console.log(`${leak.secretName} (${leak.encoding}) in ${leak.namespace} at ${leak.path}`);
 * ```
 */
export function scanDumpForSecrets(dump: DumpContents, secrets: Readonly<Record<string, string>>): SecretLeak[] {
  const forms = secretForms(secrets);
  const leaks: SecretLeak[] = [];
  if (forms.length === 0) return leaks;
  for (const [collection, entries] of dump.collections) {
    for (const [key, entry] of entries) {
      const report = (form: SecretForm, path: string): void => {
        leaks.push({
          secretName: form.secretName,
          encoding: form.encoding,
          collection,
          key,
          namespace: entry.namespace,
          path,
        });
      };
      scanValue(entry.namespace, 'namespace', forms, report);
      scanValue(entry.params, 'params', forms, report);
      scanValue(entry.result, 'result', forms, report);
      if (entry.tags !== undefined) scanValue([...entry.tags], 'tags', forms, report);
    }
  }
  return leaks;
}

/**
 * The values of the named environment variables, by name; variables that are unset or empty are left out (a replay
 * run without the token has nothing to hide).
 *
 * @example
 * ```ts
 * readSecretValues(['GITHUB_TOKEN', 'STRIPE_KEY']); // { GITHUB_TOKEN: 'ghp_...' } when only that one is set
 * ```
 */
export function readSecretValues(
  names: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = environment[name];
    if (value !== undefined && value !== '') values[name] = value;
  }
  return values;
}

/** A one-line description of a leak for error messages: never the value itself. */
export function describeLeak(leak: SecretLeak): string {
  const encoding = leak.encoding === 'raw' ? '' : ` (${leak.encoding === 'url' ? 'URL-encoded' : 'base64-encoded'})`;
  return `the value of ${leak.secretName}${encoding} in ${leak.namespace} at ${leak.path} (key ${leak.key})`;
}
