import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, formatDuration, parseByteSize, parseDuration } from '../../src/cli/sizes.js';

describe('parseDuration', () => {
  it('reads a number with a unit, and several of them in a row', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
    expect(parseDuration(' 7D ')).toBe(7 * 86_400_000);
    expect(parseDuration('0d')).toBe(0);
  });

  it('refuses a bare number, an unknown unit, and anything left over', () => {
    for (const text of ['', '30', 'd', '30y', '30dd', '-1d', '1d 2h', 'soon'])
      expect(parseDuration(text), text).toBeUndefined();
  });
});

describe('parseByteSize', () => {
  it('reads decimal and binary units, any case, with or without a space; a bare number is bytes', () => {
    expect(parseByteSize('500mb')).toBe(500e6);
    expect(parseByteSize('2GB')).toBe(2e9);
    expect(parseByteSize('1.5 kb')).toBe(1500);
    expect(parseByteSize('512MiB')).toBe(512 * 2 ** 20);
    expect(parseByteSize('1kib')).toBe(1024);
    expect(parseByteSize('4096')).toBe(4096);
    expect(parseByteSize('10b')).toBe(10);
  });

  it('refuses unknown units and negative or malformed numbers', () => {
    for (const text of ['', 'mb', '5 parsecs', '-1mb', '1e3', '1..5mb'])
      expect(parseByteSize(text), text).toBeUndefined();
  });
});

describe('formatBytes', () => {
  it('prints bytes below 1000 as they are and larger sizes with one decimal in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(34_500)).toBe('34.5 kB');
    expect(formatBytes(999_999)).toBe('1.0 MB');
    expect(formatBytes(500e6)).toBe('500.0 MB');
    expect(formatBytes(2.5e12)).toBe('2.5 TB');
  });
});

describe('formatAge', () => {
  const now = 1_000_000_000_000;

  it('rounds down to the largest whole unit', () => {
    expect(formatAge(now - 500, now)).toBe('just now');
    expect(formatAge(now - 45_000, now)).toBe('45s ago');
    expect(formatAge(now - 12 * 60_000 - 59_000, now)).toBe('12m ago');
    expect(formatAge(now - 5 * 3_600_000, now)).toBe('5h ago');
    expect(formatAge(now - 40.9 * 86_400_000, now)).toBe('40d ago');
  });

  it('calls a time in the future (a clock ahead) just now', () => {
    expect(formatAge(now + 60_000, now)).toBe('just now');
  });
});

describe('formatDuration', () => {
  it('prints a duration in the largest unit that divides it', () => {
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(14 * 86_400_000)).toBe('2w');
    expect(formatDuration(36 * 3_600_000)).toBe('36h');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});
