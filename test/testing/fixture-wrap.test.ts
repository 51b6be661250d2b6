import { describe, expect, it } from 'vitest';
import { effectiveKind } from '../../src/testing/fixture-wrap.js';

describe('effectiveKind', () => {
  it.each([
    ['auto', 'memoize', 'memoize'],
    ['auto', 'record', 'record'],
    ['auto', 'replay', 'replay'],
    ['replay', 'memoize', 'replay'],
    ['replay', 'record', 'replay'],
    ['new', 'replay', 'memoize'],
    ['new', 'record', 'memoize'],
    ['all', 'memoize', 'record'],
    ['all', 'replay', 'record'],
  ] as const)('mode %s turns a %s wrapper into %s', (mode, kind, expected) => {
    expect(effectiveKind(mode, kind)).toBe(expected);
  });
});
