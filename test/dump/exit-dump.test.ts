import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChildResult,
  dumpWrites,
  fixture,
  memotapeWarnings,
  removeTemporaryDirectories,
  requireBuild,
  startChild,
  temporaryDirectory,
} from './helpers.js';

const child = fixture('dump-child.mjs');

beforeAll(requireBuild);
afterAll(removeTemporaryDirectories);

function readDump(cacheDir: string): { cache_size: number; collections: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'utf8'));
}

async function runToEnd(
  mode: string,
  signal: NodeJS.Signals | undefined,
  env: Record<string, string> = {},
): Promise<{ result: ChildResult; cacheDir: string }> {
  const cacheDir = env.MEMOTAPE_CACHE_DIR ?? path.join(temporaryDirectory(), 'cache');
  const running = startChild(child, { MEMOTAPE_DUMP: '1', MEMOTAPE_CACHE_DIR: cacheDir, CHILD_EXIT: mode, ...env });
  if (signal !== undefined) {
    await running.waitFor('READY');
    running.process.kill(signal);
  }
  return { result: await running.done, cacheDir };
}

describe('the exit dump', () => {
  const paths: { name: string; mode: string; signal?: NodeJS.Signals; code: number | null; dies?: NodeJS.Signals }[] = [
    { name: 'a natural end', mode: 'natural', code: 0 },
    { name: 'process.exit(0)', mode: 'exit-0', code: 0 },
    { name: 'process.exit(3)', mode: 'exit-3', code: 3 },
    { name: 'process.exitCode = 5', mode: 'exit-code-5', code: 5 },
    { name: 'an uncaught exception', mode: 'uncaught', code: 1 },
    { name: 'an unhandled rejection', mode: 'rejection', code: 1 },
    { name: 'SIGINT', mode: 'wait', signal: 'SIGINT', code: null, dies: 'SIGINT' },
    { name: 'SIGTERM', mode: 'wait', signal: 'SIGTERM', code: null, dies: 'SIGTERM' },
    { name: 'SIGHUP', mode: 'wait', signal: 'SIGHUP', code: null, dies: 'SIGHUP' },
    { name: 'a host SIGINT handler that exits with 130', mode: 'host-sigint-exit', signal: 'SIGINT', code: 130 },
  ];

  for (const exitPath of paths) {
    it(`runs exactly once on ${exitPath.name} and keeps the exit code or signal`, async () => {
      const { result, cacheDir } = await runToEnd(exitPath.mode, exitPath.signal);
      expect({ code: result.code, signal: result.signal }).toEqual({
        code: exitPath.code,
        signal: exitPath.dies ?? null,
      });
      expect(dumpWrites(result)).toBe(1);
      const dump = readDump(cacheDir);
      expect(dump.cache_size).toBe(4);
      expect(Object.keys(dump.collections.null ?? {})).toHaveLength(4);
      expect(memotapeWarnings(result)).toEqual([]);
    });
  }

  it('leaves a host SIGINT handler in control: the process lives on, then dumps once when it ends', async () => {
    const { result, cacheDir } = await runToEnd('host-sigint-stay', 'SIGINT');
    expect(result.stdout).toContain('HOST-SIGINT');
    expect(result.stdout).toContain('STILL-ALIVE');
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(dumpWrites(result)).toBe(1);
    expect(readDump(cacheDir).cache_size).toBe(4);
  });

  it('cannot run on SIGKILL: nothing is dumped (documented)', async () => {
    const { result, cacheDir } = await runToEnd('wait', 'SIGKILL');
    expect(result.signal).toBe('SIGKILL');
    expect(dumpWrites(result)).toBe(0);
    expect(existsSync(path.join(cacheDir, 'memoizer_cache.json'))).toBe(false);
  });

  it('is armed by configure({ dump: true }) after a memoizer exists', async () => {
    const cacheDir = path.join(temporaryDirectory(), 'cache');
    const running = startChild(child, { MEMOTAPE_CACHE_DIR: cacheDir, CHILD_EXIT: 'configure-late' });
    const result = await running.done;
    expect(result.code).toBe(0);
    expect(dumpWrites(result)).toBe(1);
    expect(readDump(cacheDir).cache_size).toBe(4);
  });

  it('writes nothing, and creates no folder, when dumping is off', async () => {
    const cacheDir = path.join(temporaryDirectory(), 'cache');
    const result = await startChild(child, { MEMOTAPE_CACHE_DIR: cacheDir }).done;
    expect(result.code).toBe(0);
    expect(dumpWrites(result)).toBe(0);
    expect(existsSync(cacheDir)).toBe(false);
  });

  describe('when the cache dir cannot be written', () => {
    // Tests run as root, which chmod does not stop: a cache dir inside a regular file cannot be created by anyone.
    function unwritableCacheDir(): { cacheDir: string; blocker: string } {
      const blocker = path.join(temporaryDirectory(), 'a-file');
      writeFileSync(blocker, 'not a folder');
      return { cacheDir: path.join(blocker, 'cache'), blocker };
    }

    it('warns once naming the dump file and keeps process.exit(3)', async () => {
      const { cacheDir } = unwritableCacheDir();
      const { result } = await runToEnd('exit-3', undefined, { MEMOTAPE_CACHE_DIR: cacheDir });
      expect(result.code).toBe(3);
      expect(dumpWrites(result)).toBe(0);
      const warnings = memotapeWarnings(result);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('MEMOTAPE_DUMP_FAILED');
      expect(warnings[0]).toContain(path.join(cacheDir, 'memoizer_cache.json'));
    });

    it('warns once and still dies by SIGTERM', async () => {
      const { cacheDir, blocker } = unwritableCacheDir();
      const { result } = await runToEnd('wait', 'SIGTERM', { MEMOTAPE_CACHE_DIR: cacheDir });
      expect(result.signal).toBe('SIGTERM');
      expect(memotapeWarnings(result)).toHaveLength(1);
      expect(readdirSync(path.dirname(blocker))).toEqual(['a-file']);
    });

    it('keeps the exit code 0 of a natural end', async () => {
      const { cacheDir } = unwritableCacheDir();
      const { result } = await runToEnd('natural', undefined, { MEMOTAPE_CACHE_DIR: cacheDir });
      expect(result.code).toBe(0);
      expect(memotapeWarnings(result)).toHaveLength(1);
    });
  });
});
