import { describe, expect, it } from 'vitest';
import { entryKeys, isHexKey, LAYOUT_VERSION, prefixPattern, validatePrefix } from '../../src/redis/keys.js';

const KEY = '0123456789abcdef0123456789abcdef';

describe('the key layout', () => {
  it('is <prefix>:v<layout>:{<key>}:<kind>, with the key as the cluster hash tag', () => {
    expect(LAYOUT_VERSION).toBe(2);
    expect(entryKeys('app', KEY)).toEqual({
      value: `app:v2:{${KEY}}:value`,
      lease: `app:v2:{${KEY}}:lease`,
      channel: `app:v2:{${KEY}}:channel`,
    });
  });

  it('accepts only 32 lowercase hex characters as keys', () => {
    expect(isHexKey(KEY)).toBe(true);
    expect(isHexKey(KEY.toUpperCase())).toBe(false);
    expect(isHexKey(`${KEY}0`)).toBe(false);
    expect(isHexKey(42)).toBe(false);
  });

  it('rejects prefixes that would break the hash tag or a SCAN/ACL pattern', () => {
    expect(validatePrefix('my-app:cache')).toBe('my-app:cache');
    for (const bad of ['', 'a{', 'a}', 'a*', 'a?', 'a[b]', 'a b', 'a\\b', 1]) {
      expect(() => validatePrefix(bad)).toThrow(/`prefix`/);
    }
  });

  it('scans every layout version of its own prefix (a real SCAN checks a longer prefix is left out)', () => {
    expect(prefixPattern('app')).toBe('app:v[0-9]*:{*}:*');
  });
});
