import { ARGS_PREFIX, canonicalizeArgList, encodeFast, propertyPrefix } from './key.js';

/*
 * The canonical key of an object argument is a long string built by concatenation. Looking it up in the memory tier
 * makes V8 flatten and hash it, and with the encoding itself a hit cost about 1.4x a Map keyed by JSON.stringify
 * (which is native, flat and order-sensitive). This cache walks the argument instead, one step per token (a Map
 * lookup where calls branched, a comparison on a path only one call took), through a trie whose leaves hold the
 * canonical keys already built: a hit allocates no string, and the memory tier receives a string whose hash V8 has
 * already computed.
 *
 * The walk reads each value once, in the order Object.keys gives (no sorting): equal objects with their properties
 * in another order take another path to a leaf holding the same canonical key, which sorts them.
 *
 * Injectivity: a token is a property name or a primitive value, compared by SameValueZero (as Map keys), or one of the
 * symbols below, which no argument value can be (symbols are refused as keys). The sequence is self-delimiting (an
 * object opens, alternates name and value, and closes; an array opens, lists values or holes, and closes), so equal
 * sequences come from values with equal canonical encodings. SameValueZero merges only 0 and -0 among the primitives
 * the encoding tells apart, so -0 has a token of its own.
 *
 * Everything the walk does not support (other built-ins, class instances, symbol-keyed properties, functions,
 * strings over 16383 characters, more than 256 tokens, deep nesting, which is also how a cycle shows up) takes the
 * canonical path uncached, with its errors.
 */
const OPEN_OBJECT = Symbol('{');
const OPEN_ARRAY = Symbol('[');
const CLOSE = Symbol('}');
const HOLE = Symbol('hole');
const NEGATIVE_ZERO = Symbol('-0');
const DATE = Symbol('Date');

/** Longer strings are not cached: V8 hashes them by their length alone, so equally long ones would collide. */
const MAX_CACHED_STRING_LENGTH = 16383;
/** Nesting deeper than this is not cached (nor walked further, so a cycle ends the walk). */
const MAX_CACHED_DEPTH = 32;
/** Calls that take more tokens than this are not cached: each one would fill a large part of the trie. */
const MAX_CACHED_TOKENS = 256;
/** Roughly what V8 allocates for a Map holding a few entries, one more entry, and a Link (for the byte limit). */
const BRANCH_BYTES = 200;
const ENTRY_BYTES = 50;
const LINK_BYTES = 32;
/** After this many calls that had to be tokenized (new or not cacheable), the cache checks that it pays off. */
const MISS_WINDOW = 1024;

/**
 * A node on a path that a single call has taken so far: the token expected next, and the node after it (or, after the
 * last token, the canonical key). It costs a small object where a Map costs ~200 bytes, and is replaced by a Map when
 * another call leaves the path there.
 */
class Link {
  readonly token: unknown;
  next: unknown;

  constructor(token: unknown, next: unknown) {
    this.token = token;
    this.next = next;
  }
}

/** A trie node: a Map from token to the next node (a branch), or a Link. */
type TrieNode = Map<unknown, unknown> | Link;

/** The result of a walk step: the next node, undefined when the trie lacks it, null when the value is not cached. */
type Step = TrieNode | undefined | null;

/** The node after `token`, compared as Map keys are (SameValueZero: === except that NaN equals NaN). */
function child(node: TrieNode, token: unknown): Step {
  if (node instanceof Link) {
    const expected = node.token;
    return (expected === token || (Number.isNaN(expected) && Number.isNaN(token)) ? node.next : undefined) as Step;
  }
  return node.get(token) as Step;
}

/** What a token keeps alive besides its node: the characters of a string. */
function tokenBytes(token: unknown): number {
  return typeof token === 'string' ? 2 * token.length : 0;
}

const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;

function step(node: TrieNode, value: unknown, depth: number): Step {
  // An if-chain on `typeof` compiles to direct type checks (as in key.ts).
  const type = typeof value;
  if (type === 'object') return value === null ? child(node, null) : stepObject(node, value as object, depth);
  if (type === 'string') return (value as string).length > MAX_CACHED_STRING_LENGTH ? null : child(node, value);
  if (type === 'number') return child(node, value === 0 && 1 / (value as number) < 0 ? NEGATIVE_ZERO : value);
  if (type === 'boolean' || type === 'undefined' || type === 'bigint') return child(node, value);
  return null;
}

function stepObject(start: TrieNode, object: object, depth: number): Step {
  if (depth >= MAX_CACHED_DEPTH) return null;
  const prototype = Object.getPrototypeOf(object);
  if (Array.isArray(object)) {
    if (prototype !== arrayPrototype) return null;
    let node = child(start, OPEN_ARRAY);
    for (let index = 0; index < object.length; index++) {
      if (node == null) return node;
      node = index in object ? step(node, object[index], depth + 1) : child(node, HOLE);
    }
    return node == null ? node : child(node, CLOSE);
  }
  if (prototype === objectPrototype || prototype === null) {
    // A symbol-keyed property is invisible to Object.keys; such objects take the canonical path, which decides.
    if (Object.getOwnPropertySymbols(object).length > 0) return null;
    const keys = Object.keys(object);
    let node = child(start, OPEN_OBJECT);
    for (let index = 0; index < keys.length; index++) {
      if (node == null) return node;
      const key = keys[index]!;
      node = child(node, key);
      if (node == null) return node;
      node = step(node, (object as Record<string, unknown>)[key], depth + 1);
    }
    return node == null ? node : child(node, CLOSE);
  }
  if (prototype === Date.prototype) {
    const node = child(start, DATE);
    return node == null ? node : child(node, (object as Date).getTime());
  }
  return null;
}

/**
 * The tokens of `value` (pushed on `tokens`) and its canonical encoding, built from the same reads, so a getter that
 * answers differently each time cannot give the cached key of one value to another. Undefined where {@link step}
 * answers null.
 */
function tokenize(value: unknown, depth: number, tokens: unknown[]): string | undefined {
  const type = typeof value;
  if (type === 'object' && value !== null) return tokenizeObject(value as object, depth, tokens);
  if (type === 'string' && (value as string).length > MAX_CACHED_STRING_LENGTH) return undefined;
  if (type === 'function' || type === 'symbol') return undefined;
  tokens.push(type === 'number' && value === 0 && 1 / (value as number) < 0 ? NEGATIVE_ZERO : value);
  return encodeFast(value, 0);
}

function tokenizeObject(object: object, depth: number, tokens: unknown[]): string | undefined {
  if (depth >= MAX_CACHED_DEPTH) return undefined;
  const prototype = Object.getPrototypeOf(object);
  if (Array.isArray(object)) {
    if (prototype !== arrayPrototype) return undefined;
    tokens.push(OPEN_ARRAY);
    let out = '[';
    for (let index = 0; index < object.length; index++) {
      if (tokens.length > MAX_CACHED_TOKENS) return undefined;
      let encoded: string | undefined = 'h';
      if (index in object) encoded = tokenize(object[index], depth + 1, tokens);
      else tokens.push(HOLE);
      if (encoded === undefined) return undefined;
      out += index > 0 ? `,${encoded}` : encoded;
    }
    tokens.push(CLOSE);
    return `${out}]`;
  }
  if (prototype === objectPrototype || prototype === null) {
    if (Object.getOwnPropertySymbols(object).length > 0) return undefined;
    const names = Object.keys(object);
    const members: string[] = [];
    tokens.push(OPEN_OBJECT);
    for (const name of names) {
      if (tokens.length > MAX_CACHED_TOKENS) return undefined;
      tokens.push(name);
      const encoded = tokenize((object as Record<string, unknown>)[name], depth + 1, tokens);
      if (encoded === undefined) return undefined;
      members.push(encoded);
    }
    tokens.push(CLOSE);
    return encodeMembers(names, members);
  }
  if (prototype === Date.prototype) {
    const time = (object as Date).getTime();
    tokens.push(DATE, time);
    return `D${time}`;
  }
  return undefined;
}

/**
 * The canonical encoding of an object from its property names and their encoded values (in the same order), sorted by
 * name as the encoder sorts them. An insertion sort (names are unique, and at most MAX_CACHED_TOKENS / 2 of them)
 * moves both arrays together.
 */
function encodeMembers(names: string[], members: string[]): string {
  for (let index = 1; index < names.length; index++) {
    const name = names[index]!;
    const member = members[index]!;
    let position = index - 1;
    while (position >= 0 && names[position]! > name) {
      names[position + 1] = names[position]!;
      members[position + 1] = members[position]!;
      position--;
    }
    names[position + 1] = name;
    members[position + 1] = member;
  }
  let out = '{';
  for (let index = 0; index < names.length; index++) {
    if (index > 0) out += ',';
    out += propertyPrefix(names[index]!) + members[index];
  }
  return `${out}}`;
}

/**
 * The memory keys of calls with one object argument (plain objects, arrays and Dates, nested), found by walking the
 * argument through a trie instead of building and hashing its canonical encoding.
 *
 * Every key it answers is `canonicalizeArgList(1, value)`, as a string equal to the one the general path builds, so
 * both paths find the same memory entry. The mapping is pure, so the cache may forget anything: it is cleared when
 * it holds about `limitBytes` (its nodes, the strings they compare, the keys), and turns itself off for good when,
 * at that point or after every 1024 calls it could not answer, it had answered fewer calls than it could not (a
 * stream of distinct or uncacheable arguments would only pay for the walk).
 *
 * @example
 * ```ts
 * const keys = new ObjectKeyCache();
 * keys.keyOf({ b: 2, a: [1] }) === canonicalizeArgList(1, { a: [1], b: 2 }, undefined, undefined); // true
 * ```
 */
export class ObjectKeyCache {
  readonly #limitBytes: number;
  #root: TrieNode = new Map();
  #bytes = 0;
  #misses = 0;
  #repeats = 0;
  #enabled = true;

  /** @param limitBytes About how many bytes the trie may hold before it is cleared (1 MiB by default). */
  constructor(limitBytes = 1 << 20) {
    this.#limitBytes = limitBytes;
  }

  /** Whether calls are still cached (false once the workload proved not to repeat). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** `canonicalizeArgList(1, value, undefined, undefined)` for an object `value`, from the cache when possible. */
  keyOf(value: object): string {
    if (!this.#enabled) return canonicalizeArgList(1, value, undefined, undefined);
    const found = stepObject(this.#root, value, 0);
    if (typeof found === 'string') {
      this.#repeats++;
      return found;
    }
    if (found === null) return canonicalizeArgList(1, value, undefined, undefined);
    const tokens: unknown[] = [];
    const encoded = tokenizeObject(value, 0, tokens);
    // The walk stopped at the first token the trie lacked: the tokenizer may be the first to meet a value it refuses.
    const key =
      encoded === undefined || tokens.length > MAX_CACHED_TOKENS
        ? canonicalizeArgList(1, value, undefined, undefined)
        : this.#insert(tokens, `${ARGS_PREFIX}${encoded}]}`);
    this.#missed();
    return key;
  }

  /** Adds the path of `tokens` to the trie, ending at `key`; answers the key now at its end. */
  #insert(tokens: readonly unknown[], key: string): string {
    // The root is a Map, so every Link met has a parent to be replaced in.
    let parent: TrieNode = this.#root;
    let parentToken: unknown;
    let node: unknown = this.#root;
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index];
      if (node instanceof Link) {
        if (child(node, token) !== undefined) {
          parent = node;
          node = node.next;
          continue;
        }
        const branch = new Map([[node.token, node.next]]);
        if (parent instanceof Link) parent.next = branch;
        else parent.set(parentToken, branch);
        this.#bytes += BRANCH_BYTES;
        node = branch;
      }
      const branch = node as Map<unknown, unknown>;
      const next = branch.get(token);
      if (next === undefined) {
        branch.set(token, this.#chain(tokens, index + 1, key));
        this.#bytes += ENTRY_BYTES + tokenBytes(token) + 2 * key.length;
        return key;
      }
      parent = branch;
      parentToken = token;
      node = next;
    }
    // The whole path was there already (a getter answered as for an earlier call): keep the key at its end.
    return node as string;
  }

  /** The Links for `tokens` from `from` on, ending at `key`. */
  #chain(tokens: readonly unknown[], from: number, key: string): unknown {
    let next: unknown = key;
    for (let index = tokens.length - 1; index >= from; index--) {
      next = new Link(tokens[index], next);
      this.#bytes += LINK_BYTES + tokenBytes(tokens[index]);
    }
    return next;
  }

  #missed(): void {
    const full = this.#bytes >= this.#limitBytes;
    if (++this.#misses < MISS_WINDOW && !full) return;
    if (this.#repeats < this.#misses) this.#enabled = false;
    if (full || !this.#enabled) {
      this.#root = new Map();
      this.#bytes = 0;
    }
    this.#misses = 0;
    this.#repeats = 0;
  }
}
