import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { markScopeChange } from './freshness-clock.js';

/**
 * One `withFreshCache` scope: while it is the innermost, memoizers work on an empty memory and on disk tiers under
 * its temp cache dir. Held here, apart from the memoizers, so that the Memoizer can ask for the current scope without
 * importing the layer that opens scopes.
 */
export interface FreshScope {
  /** The scope's temp cache dir, created at first use and removed when the scope ends. */
  cacheDir(): string;
}

class Scope implements FreshScope {
  #directory: string | undefined;

  cacheDir(): string {
    this.#directory ??= mkdtempSync(path.join(tmpdir(), 'memotape-fresh-'));
    return this.#directory;
  }

  dispose(): void {
    if (this.#directory !== undefined) rmSync(this.#directory, { recursive: true, force: true });
  }
}

const scopes: Scope[] = [];

/** The open scopes, outermost first. */
export function freshScopes(): readonly FreshScope[] {
  return scopes;
}

/** Opens a scope inside the current ones. */
export function openScope(): FreshScope {
  const scope = new Scope();
  scopes.push(scope);
  markScopeChange();
  return scope;
}

/**
 * Closes `scope` and any scope opened inside it and still open (an inner call that was not awaited), and removes
 * their temp dirs. Answers false when it was already closed.
 */
export function closeScope(scope: FreshScope): boolean {
  const index = scopes.indexOf(scope as Scope);
  if (index < 0) return false;
  for (const closing of scopes.splice(index)) {
    try {
      closing.dispose();
    } catch {
      // A temp dir that cannot be removed now is left to the system's temp cleanup.
    }
  }
  markScopeChange();
  return true;
}
