/*
 * The forms a secret value takes in recorded data: as it is, URL-encoded (a token in a query string), and
 * base64-encoded (a Basic authorization header, a Buffer). Base64 of a value inside a longer base64 text depends on
 * where the value starts modulo 3, so each of the three alignments contributes the characters that only the value
 * determines (its "core"); the standalone encoding is a form too. Both base64 alphabets are covered.
 */

/** How a secret appeared. */
export type SecretEncoding = 'raw' | 'url' | 'base64';

/** One text form of one secret value. */
export interface SecretForm {
  readonly secretName: string;
  readonly encoding: SecretEncoding;
  readonly text: string;
}

/**
 * Secret values shorter than this are ignored (neither replaced nor scanned for): replacing `x` or `42` everywhere
 * would wreck the recorded data, and such values are placeholders, not credentials.
 */
export const MIN_SECRET_LENGTH = 4;

/** Base64 cores shorter than this are not used: short runs of base64 characters occur by chance. */
const MIN_BASE64_CORE_LENGTH = 8;

function toUrlSafe(base64: string): string {
  return base64.replaceAll('+', '-').replaceAll('/', '_');
}

function base64Texts(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const standalone = bytes.toString('base64');
  const texts = [standalone, standalone.replace(/=+$/, '')];
  for (let shift = 0; shift < 3; shift++) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Characters that mix in the bytes before the value (shift 1: two, shift 2: three), and those after the last
    // whole group of three bytes (they mix in what follows), are left out.
    const start = shift === 0 ? 0 : shift + 1;
    const end = Math.floor((shift + bytes.length) / 3) * 4;
    if (end - start >= MIN_BASE64_CORE_LENGTH) texts.push(shifted.slice(start, end));
  }
  return [...texts, ...texts.map(toUrlSafe)];
}

/**
 * Every form of each secret, longest first (so a longer form wins over a shorter one it contains). Values shorter
 * than {@link MIN_SECRET_LENGTH} give no forms.
 */
export function secretForms(secrets: Readonly<Record<string, string>>): SecretForm[] {
  const forms: SecretForm[] = [];
  const seen = new Set<string>();
  const add = (secretName: string, encoding: SecretEncoding, text: string): void => {
    if (text.length < MIN_SECRET_LENGTH || seen.has(text)) return;
    seen.add(text);
    forms.push({ secretName, encoding, text });
  };
  for (const secretName of Object.keys(secrets).sort()) {
    const value = secrets[secretName];
    if (value === undefined || value.length < MIN_SECRET_LENGTH) continue;
    add(secretName, 'raw', value);
    add(secretName, 'url', encodeURIComponent(value));
    for (const text of base64Texts(value)) add(secretName, 'base64', text);
  }
  return forms.sort((a, b) => b.text.length - a.text.length);
}

/** The text every occurrence of a secret is replaced by. */
export function secretPlaceholder(secretName: string): string {
  return `<<secret:${secretName}>>`;
}

/** The value of a property whose name matches the `keys` pattern. */
export const REDACTED = '<<redacted>>';

/** Placeholders, which the scan skips: a secret value may happen to be part of one (`secret`, say). */
export const PLACEHOLDER_PATTERN = /<<secret:[^<>]*>>|<<redacted>>/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regular expression matching every form (longest first), for a single replacing pass. */
export function formsPattern(forms: readonly SecretForm[]): RegExp | undefined {
  if (forms.length === 0) return undefined;
  return new RegExp(forms.map((form) => escapeRegExp(form.text)).join('|'), 'g');
}
