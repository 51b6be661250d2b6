/*
 * Checks that a piece of text is a JSON value exactly as `JSON.stringify(value, null, 2)` writes it at a given
 * depth, and finds where it ends, without building the value. src/dump/canonical-scan.ts uses it to recognize dump
 * files whose entries can be copied as text.
 *
 * Being strict is what matters, not being complete: the checks only accept text that JSON.parse reads to a value
 * which JSON.stringify writes back to the very same characters. Hence:
 *
 * - the 2-space layout and nothing else (a line feed and 2 spaces per level; `{}` and `[]` when empty; `": "`);
 * - strings escaped as JSON.stringify escapes them: `\"`, `\\`, `\b \f \n \r \t`, `\u00xx` (lowercase) for other
 *   control characters, nothing else escaped (no `\/`, no `\u0041`; a lone surrogate is escaped, so an escaped one
 *   and a raw one are both refused rather than told apart);
 * - numbers as String(number) writes them (no `1.0`, `1e2`, `-0`, `1e400`);
 * - no key twice in an object (JSON.parse would keep the last one), and integer-like keys (array indices) only
 *   first and ascending, which is where V8 puts them when it parses an object.
 *
 * Anything else throws NOT_CANONICAL, and the caller parses the text the ordinary way. Functions take the text and
 * a position and answer the position after what they read: plain functions over numbers are what V8 runs fastest,
 * and a dump file has millions of tokens.
 */

const SPACE = 0x20;
const LINE_FEED = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_A = 0x61;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const UPPER_E = 0x45;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Largest array index (2^32 - 2): V8 enumerates such keys first, in ascending order. */
const MAX_ARRAY_INDEX = 4_294_967_294;
/**
 * Deepest nesting read (reading is recursive): deeper values go to the ordinary parser rather than risk the stack.
 * Far beyond what recorded calls hold, and far below what the stack allows.
 */
export const MAX_DEPTH = 1000;
/** Objects with more keys than this check for a repeated key with a Set instead of comparing keys pairwise. */
const PAIRWISE_KEY_LIMIT = 16;

/** Thrown when the text is not in canonical form. */
export const NOT_CANONICAL: unique symbol = Symbol('not canonical');

export function notCanonical(): never {
  throw NOT_CANONICAL;
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/** Whether `expected` comes at `at`. Compared character by character: cheaper than a startsWith call here. */
export function comesAt(text: string, at: number, expected: string): boolean {
  const length = expected.length;
  for (let offset = 0; offset < length; offset++) {
    if (text.charCodeAt(at + offset) !== expected.charCodeAt(offset)) return false;
  }
  return true;
}

/** Reads `expected` at `at`. */
export function expectLiteral(text: string, at: number, expected: string): number {
  if (!comesAt(text, at, expected)) notCanonical();
  return at + expected.length;
}

/** Reads a line feed and exactly `width` spaces (whoever reads on checks that no further space follows). */
export function newLine(text: string, at: number, width: number): number {
  if (text.charCodeAt(at) !== LINE_FEED) notCanonical();
  const end = at + 1 + width;
  for (let position = at + 1; position < end; position++) {
    if (text.charCodeAt(position) !== SPACE) notCanonical();
  }
  return end;
}

/** Reads a `,` if one comes at `at`: answers the position after it, or -1. */
export function comma(text: string, at: number): number {
  return text.charCodeAt(at) === COMMA ? at + 1 : -1;
}

function hexDigit(code: number): number {
  if (code >= DIGIT_0 && code <= DIGIT_9) return code - DIGIT_0;
  if (code >= LOWER_A && code <= LOWER_F) return code - LOWER_A + 10;
  return -1;
}

/** Reads the escape starting with the backslash at `at`. */
function escapeSequence(text: string, at: number): number {
  const code = text.charCodeAt(at + 1);
  // The short escapes JSON.stringify writes: \" \\ \b \f \n \r \t.
  if (code === QUOTE || code === BACKSLASH || code === 0x62 || code === 0x66 || code === 0x6e) return at + 2;
  if (code === 0x72 || code === 0x74) return at + 2;
  // \u00xx, lowercase, for the control characters without a short escape.
  if (code !== 0x75 || text.charCodeAt(at + 2) !== DIGIT_0 || text.charCodeAt(at + 3) !== DIGIT_0) notCanonical();
  const high = hexDigit(text.charCodeAt(at + 4));
  const low = hexDigit(text.charCodeAt(at + 5));
  const escaped = high * 16 + low;
  if (high < 0 || low < 0 || escaped >= 0x20 || escaped === 0x08 || escaped === 0x09) notCanonical();
  if (escaped === 0x0a || escaped === 0x0c || escaped === 0x0d) notCanonical();
  return at + 6;
}

/** Reads a string (at its opening quote). */
export function string(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE) notCanonical();
  const length = text.length;
  let position = at + 1;
  for (;;) {
    if (position >= length) notCanonical();
    const code = text.charCodeAt(position);
    if (code === QUOTE) return position + 1;
    if (code === BACKSLASH) {
      position = escapeSequence(text, position);
    } else if (code < SPACE) {
      notCanonical();
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // Only a well-formed pair: JSON.stringify escapes a lone surrogate.
      const next = text.charCodeAt(position + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) notCanonical();
      position += 2;
    } else {
      position++;
    }
  }
}

/** Reads a number. */
export function number(text: string, at: number): number {
  let position = at;
  if (text.charCodeAt(position) === MINUS) position++;
  const first = text.charCodeAt(position);
  if (first === DIGIT_0) {
    position++;
  } else if (first > DIGIT_0 && first <= DIGIT_9) {
    position++;
    while (isDigit(text.charCodeAt(position))) position++;
  } else {
    notCanonical();
  }
  let integer = true;
  if (text.charCodeAt(position) === DOT) {
    integer = false;
    position++;
    if (!isDigit(text.charCodeAt(position))) notCanonical();
    while (isDigit(text.charCodeAt(position))) position++;
  }
  const exponent = text.charCodeAt(position);
  if (exponent === LOWER_E || exponent === UPPER_E) {
    integer = false;
    position++;
    const sign = text.charCodeAt(position);
    if (sign === PLUS || sign === MINUS) position++;
    if (!isDigit(text.charCodeAt(position))) notCanonical();
    while (isDigit(text.charCodeAt(position))) position++;
  }
  // An integer of at most 15 characters is written digit for digit, except "-0" (String(-0) is "0"). Others are
  // compared with what String writes for their value.
  if (!integer || position - at > 15 || (first === DIGIT_0 && position - at === 2)) {
    const lexeme = text.slice(at, position);
    if (String(Number(lexeme)) !== lexeme) notCanonical();
  }
  return position;
}

/** Reads any value at nesting `depth` (its inner lines indented by 2 × depth + 2 spaces). */
export function value(text: string, at: number, depth: number): number {
  switch (text.charCodeAt(at)) {
    case QUOTE:
      return string(text, at);
    case OPEN_BRACE:
      return object(text, at, depth);
    case OPEN_BRACKET:
      return array(text, at, depth);
    case 0x74:
      return expectLiteral(text, at, 'true');
    case 0x66:
      return expectLiteral(text, at, 'false');
    case 0x6e:
      return expectLiteral(text, at, 'null');
    default:
      return number(text, at);
  }
}

function array(text: string, at: number, depth: number): number {
  if (depth >= MAX_DEPTH) notCanonical();
  let position = at + 1;
  if (text.charCodeAt(position) === CLOSE_BRACKET) return position + 1;
  const inner = 2 * depth + 2;
  for (;;) {
    position = value(text, newLine(text, position, inner), depth + 1);
    const next = comma(text, position);
    if (next < 0) break;
    position = next;
  }
  return expectLiteral(text, newLine(text, position, 2 * depth), ']');
}

/**
 * Keys of the objects being read, as [start, end) positions in the text (quotes included): a stack, each object's
 * keys above those of the objects it sits in. Module-level scratch space, since reading never runs concurrently.
 */
const keyStarts: number[] = [];
const keyEnds: number[] = [];
let keyCount = 0;

function object(text: string, at: number, depth: number): number {
  if (depth >= MAX_DEPTH) notCanonical();
  let position = at + 1;
  if (text.charCodeAt(position) === CLOSE_BRACE) return position + 1;
  const inner = 2 * depth + 2;
  const base = keyCount;
  let lastIndex = -1;
  let named = false;
  let seen: Set<string> | undefined;
  try {
    for (;;) {
      const start = newLine(text, position, inner);
      const end = string(text, start);
      const index = arrayIndex(text, start, end);
      if (index >= 0) {
        if (named || index <= lastIndex) notCanonical();
        lastIndex = index;
      } else {
        named = true;
        if (seen === undefined) {
          for (let other = base; other < keyCount; other++) {
            if (sameText(text, keyStarts[other]!, keyEnds[other]!, start, end)) notCanonical();
          }
          keyStarts[keyCount] = start;
          keyEnds[keyCount] = end;
          keyCount++;
          if (keyCount - base > PAIRWISE_KEY_LIMIT) {
            seen = new Set();
            for (let other = base; other < keyCount; other++) seen.add(text.slice(keyStarts[other], keyEnds[other]));
          }
        } else {
          const key = text.slice(start, end);
          if (seen.has(key)) notCanonical();
          seen.add(key);
        }
      }
      position = value(text, expectLiteral(text, end, ': '), depth + 1);
      const next = comma(text, position);
      if (next < 0) break;
      position = next;
    }
  } finally {
    keyCount = base;
  }
  return expectLiteral(text, newLine(text, position, 2 * depth), '}');
}

/** The array index a key's text (quotes included) names, or -1. */
function arrayIndex(text: string, start: number, end: number): number {
  const length = end - start - 2;
  if (length < 1 || length > 10) return -1;
  const first = text.charCodeAt(start + 1);
  if (!isDigit(first) || (first === DIGIT_0 && length > 1)) return -1;
  let index = 0;
  for (let position = start + 1; position < end - 1; position++) {
    const code = text.charCodeAt(position);
    if (!isDigit(code)) return -1;
    index = index * 10 + (code - DIGIT_0);
  }
  return index <= MAX_ARRAY_INDEX ? index : -1;
}

/** Whether two ranges of the text hold the same characters (with canonical escapes: the same string). */
function sameText(text: string, start: number, end: number, otherStart: number, otherEnd: number): boolean {
  if (end - start !== otherEnd - otherStart) return false;
  for (let offset = 0; offset < end - start; offset++) {
    if (text.charCodeAt(start + offset) !== text.charCodeAt(otherStart + offset)) return false;
  }
  return true;
}
