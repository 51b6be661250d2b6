import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/*
 * The CLI is tested as users meet it: `npm pack`, installed into a fresh project, run through
 * node_modules/.bin/memotape. Input files are made by scripts that import that same installed package.
 */

/** The repository root. */
export const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * The folder that is packed: the repository (built by `npm test`), or MEMOTAPE_TEST_PACKAGE_ROOT, e.g. a private copy
 * with its own build while other work rebuilds dist/.
 */
const packageRoot = process.env.MEMOTAPE_TEST_PACKAGE_ROOT ?? root;

/** How one run of the CLI ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A project with the packed package installed, and ways to run things in it. */
export interface InstalledCli {
  readonly consumer: string;
  /** Runs `memotape <args>` with a clean memotape environment plus `env`. */
  run(args: readonly string[], env?: Record<string, string>): CliResult;
  /** Runs a script importing the installed `memotape`; answers its stdout and throws when it fails. */
  script(source: string, args?: readonly string[], env?: Record<string, string>): string;
  /** A fresh folder inside the project (removed with it). */
  folder(prefix?: string): string;
  remove(): void;
}

function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '' };
  for (const name of Object.keys(environment)) if (name.startsWith('MEMOTAPE_')) delete environment[name];
  return { ...environment, ...extra };
}

function npm(args: string[], cwd: string): void {
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: cleanEnvironment({}), stdio: 'pipe' });
}

/** Packs the package and installs the tarball into a new temp project. */
function installCli(): InstalledCli {
  const consumer = mkdtempSync(path.join(tmpdir(), 'memotape-cli-'));
  const packDirectory = path.join(consumer, 'pack');
  mkdirSync(packDirectory);
  npm(['pack', '--silent', '--pack-destination', packDirectory], packageRoot);
  const tarball = readdirSync(packDirectory).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack produced no tarball');
  writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'cli-consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  npm(
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(packDirectory, tarball)],
    consumer,
  );
  const bin = path.join(consumer, 'node_modules', '.bin', 'memotape');
  let scripts = 0;
  return {
    consumer,
    run(args, env = {}) {
      const result = spawnSync(bin, args, { cwd: consumer, encoding: 'utf8', env: cleanEnvironment(env) });
      if (result.error) throw result.error;
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    script(source, args = [], env = {}) {
      const file = path.join(consumer, `script-${++scripts}.mjs`);
      writeFileSync(file, source);
      return execFileSync(process.execPath, [file, ...args], {
        cwd: consumer,
        encoding: 'utf8',
        env: cleanEnvironment(env),
      });
    },
    folder(prefix = 'data-') {
      return mkdtempSync(path.join(consumer, prefix));
    },
    remove() {
      rmSync(consumer, { recursive: true, force: true });
    },
  };
}

/**
 * The setup every CLI command test file shares: installs the packed CLI before the file's first test, runs `prepare`
 * right after in the same hook (to record the files its tests read), and removes the project after its last test.
 * Call it at the top of the file; the answer forwards to the installed CLI, so use it inside tests and hooks.
 */
export function useInstalledCli(prepare?: (cli: InstalledCli) => void): InstalledCli {
  let installed: InstalledCli | undefined;
  const current = (): InstalledCli => {
    if (installed === undefined) throw new Error('useInstalledCli: the CLI is installed in beforeAll');
    return installed;
  };
  // One object for the whole file, so recordCache's per-project recording is found again by every test.
  const cli: InstalledCli = {
    get consumer() {
      return current().consumer;
    },
    run: (args, env) => current().run(args, env),
    script: (source, args, env) => current().script(source, args, env),
    folder: (prefix) => current().folder(prefix),
    remove: () => current().remove(),
  };
  // Packing and installing takes seconds, more on a busy machine: the hook gets a generous timeout.
  beforeAll(() => {
    installed = installCli();
    prepare?.(cli);
  }, 120_000);
  afterAll(() => installed?.remove());
  return cli;
}

/**
 * Records two functions with a Memoizer and dumps them at exit. Variant `b` changes fetchUser(1)'s result in three
 * places, records fetchUser(2) instead of fetchUser(3), and keeps add(...) as it is. `LEAK` ends up in results.
 */
const RECORD_DUMP = `import { Memoizer } from 'memotape';
const variant = process.argv[2];
const memoizer = new Memoizer();
const fetchUser = memoizer.record({ name: 'fetchUser' })(async (id) => ({
  id,
  name: variant === 'b' && id === 1 ? 'Ada Lovelace' : 'Ada',
  joined: new Date(Date.UTC(2020, 0, id)),
  roles: new Map([['admin', variant === 'b' || id !== 1]]),
  items: [{ name: 'a' }, { name: 'b' }, { name: variant === 'b' ? 'z' : 'c' }],
  token: process.env.LEAK ?? 'none',
}));
const add = memoizer.record({ name: 'add' })((a, b) => a + b);
await fetchUser(1);
await fetchUser(variant === 'b' ? 2 : 3);
add(1, 2);
add(2n, 3n);
`;

/** Records the dump of variant `a` or `b` into a new cache dir; answers the dump file. */
export function recordDump(cli: InstalledCli, variant: 'a' | 'b', env: Record<string, string> = {}): string {
  const cacheDir = cli.folder(`dump-${variant}-`);
  cli.script(RECORD_DUMP, [variant], { ...env, MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir });
  return path.join(cacheDir, 'memoizer_cache.json');
}

/**
 * Records into a PersistentMemoizer cache dir: shouldPad (2 entries) in sub dir `should-pad`; fetchSize (1 entry,
 * 1 ms ttl, so expired by the time the CLI looks) and keepSize (2 entries of 100 and 200 characters) in `_default`.
 */
const RECORD_CACHE = `import { PersistentMemoizer } from 'memotape';
const [cacheDir] = process.argv.slice(2);
const pad = new PersistentMemoizer({ cacheDir, subDir: 'should-pad' });
const shouldPad = pad.record({ name: 'shouldPad' })((m, n) => ({ pad: (m * n) % 2 === 0, at: new Date(m * n) }));
shouldPad(3, 4);
shouldPad(5, 7);
const shortLived = new PersistentMemoizer({ cacheDir, ttl: 1 });
await shortLived.record({ name: 'fetchSize' })(async (id) => BigInt(id) * 1000n)(9);
const keep = new PersistentMemoizer({ cacheDir });
const keepSize = keep.record({ name: 'keepSize' })((length) => 'x'.repeat(length));
keepSize(100);
keepSize(200);
`;

const recordedCaches = new WeakMap<InstalledCli, string>();

/**
 * A new cache dir holding the entries described above. They are recorded once per project; later calls copy that
 * recording, which is much faster than running the script again.
 */
export function recordCache(cli: InstalledCli): string {
  let template = recordedCaches.get(cli);
  if (template === undefined) {
    template = cli.folder('recorded-cache-');
    cli.script(RECORD_CACHE, [template]);
    recordedCaches.set(cli, template);
  }
  const cacheDir = cli.folder('cache-');
  cpSync(template, cacheDir, { recursive: true });
  return cacheDir;
}

/** The entry files of one store folder, by key. */
export function entryFiles(cacheDir: string, subDir: string): Map<string, string> {
  const folder = path.join(cacheDir, 'disk-v1', subDir);
  const files = new Map<string, string>();
  for (const shard of readdirSync(folder)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const name of readdirSync(path.join(folder, shard))) {
      if (name.endsWith('.json')) files.set(name.slice(0, 32), path.join(folder, shard, name));
    }
  }
  return files;
}

/** Sets a file's modification time (a disk entry's last use, a dump's age) to `ms` ago. */
export function setAge(file: string, ms: number): Date {
  const time = new Date(Date.now() - ms);
  utimesSync(file, time, time);
  return time;
}

/** One day in ms. */
export const DAY = 86_400_000;
