import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

/*
 * What the decorator fixture scripts (test/fixtures/decorators) print, whichever compiler lowered their decorators:
 * shared by the tsc suite (test/decorators-compiled.test.ts) and the Babel suite (test/decorators-babel.test.ts), so
 * that every compiler is held to the same behaviour.
 */
const expectedBehaviours = {
  perInstance: {
    area: [6, 6, 60],
    areaRuns: 2,
    perimeter: [4, 4, 40],
    perimeterRuns: 2,
    squareSides: [12, 12],
    areaRunsAfterSquare: 3,
  },
  inFlight: { loads: [1, 1, 10], loadShared: true, loadHitIsSameObject: true, loadRuns: 2 },
  replay: { replayedOwn: 'k@1', replayedOther: 'ERR_MEMOTAPE_CACHE_MISS', fetchRuns: 1 },
  staticsAndGetters: {
    parsedBy: ['Geometry', 'Geometry', 'Square'],
    parsedHitIsSameObject: true,
    parseRuns: 2,
    expensiveScales: [1, 1, 10],
    expensiveOncePerInstance: true,
    expensiveRuns: 2,
  },
  names: ['area', 2, 'parse', 1],
} as const;

/** persistent.js, run twice on one cache dir: the second run computes nothing. */
const expectedPersistent = { results: ['a/k', 'b/k', 'X', 'X', 3], refused: 'ERR_MEMOTAPE_DECORATOR' };

/** release.js, run with --expose-gc. */
const expectedRelease = {
  sizeBefore: 2,
  sizeAfter: 1,
  instanceCollected: true,
  resultCollected: true,
  finalized: ['instance', 'result'],
  keptStillCached: true,
};

/** private-members.js (standard decorators only). */
export const expectedPrivateMembers = {
  opened: ['alice:1', 'alice:1', 'bob:1'],
  secretRuns: 2,
  shared: ['Vault:2', 'Vault:2'],
  sharedRuns: 1,
};

/** A temp folder where compiled fixtures import 'memotape' as an installed package would resolve it. */
export interface DecoratorWorkspace {
  readonly directory: () => string;
  /** Runs a compiled script and parses the JSON line it prints (once per script and arguments). */
  readonly run: (file: string, nodeArguments?: readonly string[]) => any;
  /** Runs persistent.js twice on a fresh cache dir named `name`, answering both outputs. */
  readonly runPersistentTwice: (file: string, name: string) => [unknown, unknown];
}

/**
 * Registers the hooks that build the package if needed, create the workspace (then `prepare` compiles into it) and
 * remove it afterwards.
 */
export function useDecoratorWorkspace(prefix: string, prepare: (directory: string) => void): DecoratorWorkspace {
  const root = path.resolve(import.meta.dirname, '..', '..');
  let workspace: string | undefined;
  const outputs = new Map<string, unknown>();
  const directory = () => {
    if (workspace === undefined) throw new Error('the decorator workspace is used before beforeAll ran');
    return workspace;
  };
  beforeAll(() => {
    if (!existsSync(path.join(root, 'dist', 'index.js')) || !existsSync(path.join(root, 'dist', 'index.d.ts'))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
    }
    workspace = mkdtempSync(path.join(tmpdir(), prefix));
    mkdirSync(path.join(workspace, 'node_modules'));
    symlinkSync(root, path.join(workspace, 'node_modules', 'memotape'), 'junction');
    writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    prepare(workspace);
  }, 120_000);
  afterAll(() => {
    if (workspace !== undefined) rmSync(workspace, { recursive: true, force: true });
  });
  const run = (file: string, nodeArguments: readonly string[] = []) => {
    const id = `${file} ${nodeArguments.join(' ')}`;
    if (!outputs.has(id)) {
      const stdout = execFileSync(process.execPath, [...nodeArguments, file], { cwd: directory(), encoding: 'utf8' });
      outputs.set(id, JSON.parse(stdout));
    }
    return outputs.get(id);
  };
  const runPersistentTwice = (file: string, name: string): [unknown, unknown] => {
    const cacheDir = path.join(directory(), `cache-${name.replace(/\W+/g, '-')}`);
    const environment = Object.fromEntries(
      Object.entries(process.env).filter(([variable]) => !variable.startsWith('MEMOTAPE_')),
    );
    const once = () =>
      JSON.parse(
        execFileSync(process.execPath, [file, cacheDir], { cwd: directory(), encoding: 'utf8', env: environment }),
      );
    return [once(), once()];
  };
  return { directory, run, runPersistentTwice };
}

/**
 * Registers the tests every compiler's output must pass on behaviours.js, persistent.js and release.js; `pathOf`
 * answers where the compiled script is, `name` tells this compiler's cache dir apart.
 */
export function itKeepsTheFixtureBehaviours(
  workspace: DecoratorWorkspace,
  pathOf: (script: 'behaviours' | 'persistent' | 'release') => string,
  name: string,
): void {
  const behaviours = () => workspace.run(pathOf('behaviours'));

  it('keep entries per instance and per method, bare or with options', () => {
    expect(behaviours()).toMatchObject(expectedBehaviours.perInstance);
  });

  it('share in-flight async calls per instance, with the instance as `this`', () => {
    expect(behaviours()).toMatchObject(expectedBehaviours.inFlight);
  });

  it('replay what a record method with the same `name` stored for the same instance only', () => {
    expect(behaviours()).toMatchObject(expectedBehaviours.replay);
  });

  it('keep static methods per class and compute getters once per instance', () => {
    expect(behaviours()).toMatchObject(expectedBehaviours.staticsAndGetters);
  });

  it('keep the names and lengths of decorated methods', () => {
    expect(behaviours().names).toEqual(expectedBehaviours.names);
  });

  it('persist per `instanceKey`, `shared` namespace or class, and refuse an unkeyed method at class definition', () => {
    const [first, second] = workspace.runPersistentTwice(pathOf('persistent'), name);
    expect(first).toEqual({ ...expectedPersistent, runs: 4 });
    expect(second).toEqual({ ...expectedPersistent, runs: 0 });
  });

  it('release a dropped instance and its cached result when it is garbage-collected', () => {
    expect(workspace.run(pathOf('release'), ['--expose-gc'])).toEqual(expectedRelease);
  });
}
