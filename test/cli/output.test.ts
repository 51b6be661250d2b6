import { describe, expect, it } from 'vitest';
import { formatTable, isoTime, oneLine, plural } from '../../src/cli/output.js';

describe('formatTable', () => {
  it('pads columns to the widest cell, right-aligns numbers, and leaves no trailing spaces', () => {
    const rows = [
      { name: 'fetchUser', count: 2 },
      { name: 'add', count: 120 },
    ];
    const table = formatTable(rows, [
      { header: 'FUNCTION', value: (row) => row.name },
      { header: 'N', value: (row) => String(row.count), align: 'right' },
      { header: 'NOTE', value: () => '' },
    ]);
    expect(table).toBe('FUNCTION     N  NOTE\nfetchUser    2\nadd        120\n');
  });
});

describe('plural and oneLine', () => {
  it('counts in words', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(0, 'entry', 'entries')).toBe('0 entries');
    expect(plural(3, 'file')).toBe('3 files');
  });

  it('puts a message quoting a file with line breaks on one line', () => {
    expect(oneLine('not JSON ("garbage\n" is not valid)')).toBe('not JSON ("garbage " is not valid)');
  });
});

describe('isoTime', () => {
  it('rounds a file time that came back from nanoseconds to the nearest ms', () => {
    expect(isoTime(1_794_579_011_763.99)).toBe(new Date(1_794_579_011_764).toISOString());
    expect(isoTime(undefined)).toBeNull();
  });
});
