#!/usr/bin/env node
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { errorMessage } from './cache-dir.js';
import {
  type Command,
  CommandFailure,
  type CommandIo,
  ExitCode,
  type ExitCodeValue,
  type ParsedValues,
  UsageError,
} from './command.js';
import { checkCommand } from './commands/check.js';
import { clearCommand } from './commands/clear.js';
import { diffCommand } from './commands/diff.js';
import { lsCommand } from './commands/ls.js';
import { mergeCommand } from './commands/merge.js';
import { pruneCommand } from './commands/prune.js';
import { showCommand } from './commands/show.js';
import { oneLine } from './output.js';

/*
 * The `memotape` command: `memotape <command> [arguments] [options]`. Each command lives in commands/<name>.ts; this
 * file parses the command line with node:util's parseArgs and dispatches. Usage errors exit 2 with one line and a
 * hint to --help; commands answer 0 (fine) or 1 (problems found).
 */

const COMMANDS: readonly Command[] = [
  lsCommand,
  showCommand,
  diffCommand,
  mergeCommand,
  checkCommand,
  pruneCommand,
  clearCommand,
];

const EXIT_CODES = 'Exit codes: 0 fine, 1 problems found, 2 usage error.';

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const list = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: memotape <command> [arguments] [options]

Inspect, compare, merge, check and clean up recorded results: dump and fixture files, and PersistentMemoizer
cache dirs.

Commands:
${list}

Every command takes --help and --json (machine-readable output).
${EXIT_CODES}
Guide: docs/cli.md in the memotape package.
`;
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.help}\n\n${EXIT_CODES}\n`;
}

function version(): string {
  // dist/cli.js sits one folder below package.json, in the repository and once installed.
  const packageJson = createRequire(import.meta.url)('../package.json') as { version?: unknown };
  return String(packageJson.version);
}

/** The first sentence of a parseArgs error, worded like the rest of the CLI's messages. */
function parseErrorMessage(error: Error): string {
  const missing = /^Option '(-[^' ]+)(?: <value>)?' argument missing/.exec(error.message);
  if (missing !== null) return `${missing[1]} needs a value`;
  const sentence = error.message.split(/\.(?: |$)/)[0] ?? error.message;
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function parseCommandLine(command: Command, args: string[]): { positionals: string[]; values: ParsedValues } {
  let parsed: { positionals: string[]; values: ParsedValues };
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as { positionals: string[]; values: ParsedValues };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(parseErrorMessage(error as Error));
    }
    throw error;
  }
  const { min, max, describe } = command.positionals;
  if (parsed.positionals.length < min) throw new UsageError(`missing ${describe}`);
  if (parsed.positionals.length > max) {
    throw new UsageError(`too many arguments: ${command.name} takes ${describe}`);
  }
  return parsed;
}

function usageError(io: CommandIo, prefix: string, message: string, helpCommand: string): ExitCodeValue {
  io.err(`${prefix}: ${oneLine(message)}\nRun '${helpCommand} --help' for usage.\n`);
  return ExitCode.usage;
}

/** Runs one command line (without `node` and the script) and answers the exit code. */
function runCli(argv: readonly string[], io: CommandIo): ExitCodeValue {
  const [name, ...args] = argv;
  if (name === undefined) return usageError(io, 'memotape', 'missing command', 'memotape');
  if (name === '--help' || name === '-h' || (name === 'help' && args.length === 0)) {
    io.out(generalHelp());
    return ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version()}\n`);
    return ExitCode.ok;
  }
  const helpTopic = name === 'help' ? args[0] : undefined;
  const command = COMMANDS.find((candidate) => candidate.name === (helpTopic ?? name));
  if (command === undefined) {
    const what = name.startsWith('-') ? `unknown option '${name}' (options go after the command)` : undefined;
    return usageError(io, 'memotape', what ?? `unknown command '${helpTopic ?? name}'`, 'memotape');
  }
  if (helpTopic !== undefined || wantsHelp(args)) {
    io.out(commandHelp(command));
    return ExitCode.ok;
  }
  const prefix = `memotape ${command.name}`;
  try {
    const { positionals, values } = parseCommandLine(command, args);
    return command.run({ positionals, values, json: values.json === true, io });
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, prefix, error.message, prefix);
    io.err(`${prefix}: ${oneLine(errorMessage(error))}\n`);
    // A file system error (it has a code) is the user's to fix; anything else is a bug, and its stack helps report it.
    const operational = error instanceof CommandFailure || typeof (error as NodeJS.ErrnoException)?.code === 'string';
    if (!operational && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
    return ExitCode.problems;
  }
}

function processIo(): CommandIo {
  const colorsAllowed = process.env.NO_COLOR === undefined && process.env.FORCE_COLOR !== '0';
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    colors: colorsAllowed && process.stdout.isTTY === true && process.stdout.hasColors(),
    env: process.env,
    now: Date.now,
  };
}

const io = processIo();
// `memotape ls | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
// Library warnings (a corrupt side file moved aside, say) read as the CLI's own lines. A merge that could not write
// reports that itself, from its outcome, so those warnings would only say it twice.
const REPORTED_BY_COMMANDS: ReadonlySet<string> = new Set(['MEMOTAPE_DUMP_DEFERRED', 'MEMOTAPE_DUMP_FAILED']);
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code === undefined || !REPORTED_BY_COMMANDS.has(warning.code)) {
    io.err(`memotape: warning: ${warning.message}\n`);
  }
});
process.exitCode = runCli(process.argv.slice(2), io);
