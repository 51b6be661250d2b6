import { DeadlineExceededError } from './deadline.js';

/**
 * How a failed Redis operation is counted:
 * - `timeout`: no answer within memotape's deadline (a stopped, slow or partitioned server);
 * - `connection`: the command never reached a server (refused, closed, offline, reconnecting, wrong password);
 * - `reply`: the server answered with an error (OOM under maxmemory, READONLY, NOPERM, ...). The server is up, so
 *   this does not count towards opening the circuit, except for replies that mean it cannot serve at all.
 */
export type FailureKind = 'timeout' | 'connection' | 'reply';

/** A classified failure, with a message safe to show (no credentials). */
export interface Failure {
  readonly kind: FailureKind;
  /** The server's error code for replies (`OOM`, `NOPERM`, ...), else the kind in upper case. */
  readonly code: string;
  readonly message: string;
  /** Whether it counts towards opening the circuit breaker. */
  readonly unavailable: boolean;
}

// Error replies that mean the server cannot serve anything right now.
const UNAVAILABLE_REPLY_CODES = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN']);
// node-redis turns error replies into these classes; matched by name so a client from another copy counts too.
const REPLY_ERROR_CLASSES = new Set(['ErrorReply', 'SimpleError', 'BlobError', 'MultiErrorReply']);
const REPLY_CODE = /^([A-Z][A-Z_]+)(?:\s|$)/;

function isErrorReply(error: unknown): boolean {
  let prototype: unknown = typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null;
  while (prototype !== null && prototype !== Object.prototype) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && REPLY_ERROR_CLASSES.has(name)) return true;
    prototype = Object.getPrototypeOf(prototype);
  }
  return false;
}

/** Sorts a failed operation's error into a {@link Failure}, scrubbing `secrets` out of its message. */
export function classifyFailure(error: unknown, secrets: readonly string[]): Failure {
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = scrubSecrets(rawMessage, secrets);
  if (error instanceof DeadlineExceededError) {
    return { kind: 'timeout', code: 'TIMEOUT', message, unavailable: true };
  }
  if (isErrorReply(error)) {
    const code = REPLY_CODE.exec(rawMessage)?.[1] ?? 'ERR';
    return { kind: 'reply', code, message, unavailable: UNAVAILABLE_REPLY_CODES.has(code) };
  }
  return { kind: 'connection', code: 'CONNECTION', message, unavailable: true };
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):[^\s@/]*@/gi;
// Shorter secrets are not replaced: replacing every "ab" in a message would garble it without hiding much.
const MIN_SCRUBBED_LENGTH = 3;

/**
 * Removes credentials from text that may be shown to users or written to logs: the password of every URL
 * (`redis://user:secret@host` becomes `redis://user:***@host`) and each of `secrets` wherever it appears.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text.replace(URL_CREDENTIALS, '$1$2:***@');
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUBBED_LENGTH) scrubbed = scrubbed.split(secret).join('***');
  }
  return scrubbed;
}

/** The password (and, for safety, the whole userinfo) of a redis URL, to scrub from messages. */
export function secretsOfUrl(url: string): string[] {
  try {
    const parsed = new URL(url);
    const secrets: string[] = [];
    if (parsed.password !== '') secrets.push(parsed.password, decodeURIComponent(parsed.password));
    return secrets;
  } catch {
    return [];
  }
}
