import type { CommandIo } from './command.js';

/** One column of a text table. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Numbers read best right-aligned. @default 'left' */
  readonly align?: 'left' | 'right';
}

/**
 * A plain-text table: a header line, then one line per row, columns separated by two spaces and padded to the widest
 * cell. No trailing spaces, so the output diffs and greps cleanly.
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]!.length)),
  );
  const formatLine = (line: readonly string[]): string =>
    line
      .map((cell, index) =>
        columns[index]!.align === 'right' ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!),
      )
      .join('  ')
      .trimEnd();
  return `${[formatLine(columns.map((column) => column.header)), ...cells.map((line) => formatLine(line))].join(
    '\n',
  )}\n`;
}

/** Writes `value` as indented JSON with a trailing line feed: the `--json` output of every command. */
export function printJson(io: CommandIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * An ISO timestamp for `--json` output, or `null` when there is no time to give. File times come back from
 * nanoseconds as fractional ms (`…763.9999`), so they are rounded, not cut, to the ms.
 */
export function isoTime(time: number | undefined): string | null {
  return time === undefined || !Number.isFinite(time) ? null : new Date(Math.round(time)).toISOString();
}

/** `1 entry`, `3 entries`: counts in sentences. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Indents every line after the first by `indent`, for multi-line values printed after a label. */
export function indentContinuation(text: string, indent: string): string {
  return text.replaceAll('\n', `\n${indent}`);
}

/** A message on one line: parse errors quote the file's text, which may hold line breaks. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
