// Durations and byte sizes as people type them on a command line (`30d`, `500mb`), and as the CLI prints them.

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

// Decimal units, as `maxDiskBytes: 500e6` in the docs; the binary ones are there for people who think in MiB.
const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/;

/**
 * Parses a duration such as `30d`, `12h`, `90m`, `1w`, `1d12h` or `500ms` into milliseconds. Answers `undefined`
 * for anything else (a bare number has no unit, so it is refused rather than guessed).
 */
export function parseDuration(text: string): number | undefined {
  const input = text.trim().toLowerCase();
  if (input === '') return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = DURATION_PART.exec(input); match !== null; match = DURATION_PART.exec(input)) {
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === input.length && Number.isFinite(total) ? Math.round(total) : undefined;
}

/**
 * Parses a size such as `500mb`, `2GB`, `1.5 gib` or `4096` (bytes) into bytes: kb/mb/gb/tb are powers of 1000,
 * kib/mib/gib/tib powers of 1024. Answers `undefined` for anything else.
 */
export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text.trim().toLowerCase());
  if (match === null) return undefined;
  const unit = BYTE_UNITS[match[2] === '' ? 'b' : match[2]!];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A byte count for people: `812 B`, `1.2 kB`, `34.5 MB` (decimal units, as `parseByteSize` reads them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let index = 0;
  while (value >= 999.95 && index < units.length - 1) {
    value /= 1000;
    index++;
  }
  return `${value.toFixed(1)} ${units[index]}`;
}

/** How long ago `time` was, rounded down to the largest whole unit: `45s ago`, `12m ago`, `5h ago`, `40d ago`. */
export function formatAge(time: number, now: number): string {
  const elapsed = now - time;
  if (elapsed < 1000) return 'just now';
  const seconds = Math.floor(elapsed / 1000);
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

/** A duration as the user would have typed it back: `30d`, `12h`, `90m` (the largest unit that divides it). */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
