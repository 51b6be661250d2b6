import type { ParseArgsConfig } from 'node:util';

/** The documented exit codes of every command. */
export const ExitCode = {
  /** The command did what was asked and found nothing wrong. */
  ok: 0,
  /** Problems were found (or, for `diff`, differences; for `show`, no matching entry). */
  problems: 1,
  /** The command line itself was wrong: an unknown command or option, a missing argument, a path that is not there. */
  usage: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in the command line: reported as one line plus a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command could not do its job (an unreadable or corrupt input): reported as one line, exit code 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** Where a command writes, and the clock it reads ages from. */
export interface CommandIo {
  /** Writes to stdout; `text` should end with a line feed. */
  readonly out: (text: string) => void;
  /** Writes to stderr; `text` should end with a line feed. */
  readonly err: (text: string) => void;
  /** Whether stdout is a terminal that takes colors. */
  readonly colors: boolean;
  /** The environment (`check --secret` reads values from it). */
  readonly env: NodeJS.ProcessEnv;
  /** Now, in ms since the epoch. */
  readonly now: () => number;
}

/** The options of a command as parsed by `util.parseArgs` (`--json` and `--help` included). */
export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command's `run` receives. */
export interface CommandInput {
  readonly positionals: readonly string[];
  readonly values: ParsedValues;
  readonly json: boolean;
  readonly io: CommandIo;
}

/** One subcommand: its command line, its help, and what it does. */
export interface Command {
  readonly name: string;
  /** One line for `memotape --help`. */
  readonly summary: string;
  /** The usage line, e.g. `memotape ls <file | cache dir> [--json]`. */
  readonly usage: string;
  /** The rest of `--help`: what the command does, its options, an example. */
  readonly help: string;
  /** The command's own options; `--json` and `--help` are added to every command. */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes, and what to call them in a usage error. */
  readonly positionals: { readonly min: number; readonly max: number; readonly describe: string };
  run(input: CommandInput): ExitCodeValue;
}

/** A string option's value (parseArgs gives `undefined` when it is absent). */
export function stringValue(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A `multiple: true` string option's values. */
export function stringValues(values: ParsedValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
