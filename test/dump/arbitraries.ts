import fc from 'fast-check';
import type { Json } from '../../src/codec.js';
import type { DumpCollection, DumpCollections, DumpEntry } from '../../src/dump/dump-format.js';

/*
 * fast-check arbitraries for dump files: JSON values with the cases a canonical-form check can get wrong
 * (integer-like and prototype keys, escapes, lone surrogates, awkward numbers), dump contents, and one-character
 * mutations of a text.
 */

const awkwardKey = fc.constantFrom('0', '1', '10', '01', '-0', '4294967294', '4294967295', '__proto__', 'constructor');
const awkwardString = fc.constantFrom(
  '',
  '"',
  '\\',
  '/',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\ud800',
  '😀',
  '\\u0041',
);
const awkwardNumber = fc.constantFrom(-0, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_VALUE);

const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), awkwardKey);
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), awkwardString);

/** JSON values, with edge cases mixed in. */
export const jsonWithEdgeCases: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    awkwardNumber,
    text,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Whether a value holds a string (or a key) with a lone surrogate, which JSON.stringify escapes. */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return /\p{Cs}/u.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([name, inner]) => hasLoneSurrogate(name) || hasLoneSurrogate(inner));
  }
  return false;
}

const CHANGES = [' ', '\n', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', '.', 'e', 'E', '-', '+', 'a', 'F', 'u'];

/** `text` with one character replaced, removed or inserted, or doubled. */
export function mutated(source: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(0, source.length - 1) });
  const change = fc.constantFrom(...CHANGES);
  return fc.oneof(
    fc
      .tuple(at, change)
      .map(([position, character]) => source.slice(0, position) + character + source.slice(position + 1)),
    at.map((position) => source.slice(0, position) + source.slice(position + 1)),
    fc.tuple(at, change).map(([position, character]) => source.slice(0, position) + character + source.slice(position)),
  );
}

/** A few fixed keys (so that two dumps share some) and random ones. */
const persistedKey = fc.oneof(
  fc.constantFrom('0'.repeat(32), 'a'.repeat(32), '0123456789abcdef0123456789abcdef', 'f'.repeat(32)),
  fc.stringMatching(/^[0-9a-f]{32}$/),
);

const namespace = fc.oneof(
  fc.constantFrom('fetchUser', '__proto__'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
);

/** Dump entries, with every optional field present or not. */
export const dumpEntry: fc.Arbitrary<DumpEntry> = fc
  .record(
    {
      namespace,
      params: jsonWithEdgeCases,
      result: jsonWithEdgeCases,
      promise: fc.boolean(),
      expiresAt: fc.oneof(fc.integer({ min: 0 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
      tags: fc.array(text, { maxLength: 3 }),
    },
    { requiredKeys: ['namespace', 'params', 'result', 'promise'] },
  )
  .map((entry) => entry as DumpEntry);

const collectionName = fc.oneof(
  fc.constantFrom('null', '__proto__', '0', '7', 'api'),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

/** Dump contents: a few collections (some empty) of a few entries. */
export const dumpCollections: fc.Arbitrary<DumpCollections> = fc
  .array(fc.tuple(collectionName, fc.array(fc.tuple(persistedKey, dumpEntry), { maxLength: 5 })), { maxLength: 4 })
  .map((spec) => new Map(spec.map(([name, entries]): [string, DumpCollection] => [name, new Map(entries)])));
