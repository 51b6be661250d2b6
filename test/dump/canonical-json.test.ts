import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, NOT_CANONICAL, value } from '../../src/dump/canonical-json.js';
import { hasLoneSurrogate, jsonWithEdgeCases, mutated } from './arbitraries.js';

/** Whether the whole text is one canonical value at depth 0. */
function accepts(text: string): boolean {
  try {
    return value(text, 0, 0) === text.length;
  } catch (error) {
    if (error === NOT_CANONICAL) return false;
    throw error;
  }
}

describe('canonical JSON values', () => {
  it('accepts what JSON.stringify(value, null, 2) writes, unless it had to escape a lone surrogate', () => {
    fc.assert(
      fc.property(jsonWithEdgeCases, (generated) => {
        const text = JSON.stringify(generated, null, 2);
        expect(accepts(text)).toBe(!hasLoneSurrogate(generated));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only text that a parse and JSON.stringify give back unchanged', () => {
    // Canonical texts with one character changed: whatever is accepted must be exactly canonical.
    const candidates = jsonWithEdgeCases.chain((generated) => mutated(JSON.stringify(generated, null, 2)));
    fc.assert(
      fc.property(candidates, (text) => {
        if (accepts(text)) expect(JSON.stringify(JSON.parse(text), null, 2)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['an escaped slash', '"a\\/b"'],
    ['a needless \\u escape', '"\\u0041"'],
    ['uppercase hex in an escape', '"\\u001F"'],
    ['a \\u escape where a short one exists', '"\\u000a"'],
    ['an escaped lone surrogate', '"\\ud800"'],
    ['a raw lone surrogate', '"\ud800"'],
    ['a raw control character', '"a\u0001"'],
    ['a trailing zero', '1.0'],
    ['an exponent String() would not write', '1e2'],
    ['an uppercase exponent', '1E+21'],
    ['minus zero', '-0'],
    ['a leading zero', '01'],
    ['a number too big for a double', '1e400'],
    ['more digits than the shortest form', '0.10000000000000001'],
    ['a repeated key', '{\n  "a": 1,\n  "a": 2\n}'],
    ['a repeated key among many', `{\n${[...'abcdefghijklmnopqrsa'].map((key) => `  "${key}": 1`).join(',\n')}\n}`],
    ['an integer-like key after a named one', '{\n  "a": 1,\n  "1": 2\n}'],
    ['integer-like keys out of order', '{\n  "2": 1,\n  "1": 2\n}'],
    ['compact layout', '{"a":1}'],
    ['a tab for indentation', '{\n\t"a": 1\n}'],
    ['four-space indentation', '{\n    "a": 1\n}'],
    ['a space before a colon', '{\n  "a" : 1\n}'],
    ['an empty object written on two lines', '{\n}'],
    ['a trailing comma', '[\n  1,\n]'],
    ['a string cut short', '"abc'],
  ])('refuses %s', (_, text) => {
    expect(accepts(text)).toBe(false);
  });

  it.each([
    ['escapes JSON.stringify writes', JSON.stringify('q"b\\s\b\f\n\r\t\u0001\u001f\u007f\u2028')],
    ['a surrogate pair', '"😀"'],
    ['numbers as String() writes them', '[\n  0,\n  -1,\n  0.1,\n  1e+21,\n  1.5e-7,\n  123456789012345680000\n]'],
    ['integer-like keys first and ascending', '{\n  "1": 1,\n  "10": 2,\n  "4294967295": 3,\n  "a": 4\n}'],
    ['many distinct keys', `{\n${[...'abcdefghijklmnopqrst'].map((key) => `  "${key}": 1`).join(',\n')}\n}`],
    ['empty containers', '{\n  "a": {},\n  "b": []\n}'],
  ])('accepts %s', (_, text) => {
    expect(accepts(text)).toBe(true);
    expect(JSON.stringify(JSON.parse(text), null, 2)).toBe(text);
  });

  it('reads a value nested at a depth with the indentation of that depth', () => {
    const text = '{\n      "a": [\n        1\n      ]\n    }';
    expect(value(text, 0, 2)).toBe(text.length);
    expect(() => value(text, 0, 1)).toThrow();
  });

  it(`leaves values nested ${MAX_DEPTH} levels deep or more to the ordinary parser, rather than risk the stack`, () => {
    const nested = (levels: number) =>
      JSON.stringify(JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`), null, 2);
    expect(accepts(nested(MAX_DEPTH))).toBe(true);
    expect(accepts(nested(MAX_DEPTH + 1))).toBe(false);
  });
});
