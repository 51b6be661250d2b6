import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The fixture classes in test/fixtures/decorators are compiled by the repository's own tsc, once with a standard
// tsconfig and once with `experimentalDecorators`, against the built package, and the output runs in plain node.
const root = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(root, 'test', 'fixtures', 'decorators');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const flavours = ['standard', 'legacy'] as const;
type Flavour = (typeof flavours)[number];

let workspace: string;
const compiled = new Map<Flavour, { status: number | null; output: string }>();
const outputs = new Map<string, unknown>();

/** Runs a compiled fixture script and parses the JSON line it prints (once per script). */
function runFixture(flavour: Flavour, script: string, nodeArguments: string[] = []): any {
  const file = path.join(workspace, flavour, script);
  if (!outputs.has(file)) {
    const stdout = execFileSync(process.execPath, [...nodeArguments, file], { cwd: workspace, encoding: 'utf8' });
    outputs.set(file, JSON.parse(stdout));
  }
  return outputs.get(file);
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist', 'index.js')) || !existsSync(path.join(root, 'dist', 'index.d.ts'))) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  }
  workspace = mkdtempSync(path.join(tmpdir(), 'memotape-decorators-'));
  // The compiled scripts import 'memotape': resolve it to this repository, as an installed package would be.
  mkdirSync(path.join(workspace, 'node_modules'));
  symlinkSync(root, path.join(workspace, 'node_modules', 'memotape'), 'junction');
  writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  for (const flavour of flavours) {
    const result = spawnSync(
      process.execPath,
      [tsc, '-p', path.join(fixtures, `tsconfig.${flavour}.json`), '--outDir', path.join(workspace, flavour)],
      { cwd: root, encoding: 'utf8' },
    );
    compiled.set(flavour, { status: result.status, output: `${result.stdout}${result.stderr}`.trim() });
  }
}, 120_000);

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe.each(flavours)('%s decorators compiled with tsc', (flavour) => {
  it('compile the fixture classes and the type tests without errors', () => {
    expect(compiled.get(flavour)).toEqual({ status: 0, output: '' });
  });

  it('keep entries per instance and per method, bare or with options', () => {
    const behaviours = runFixture(flavour, 'behaviours.js');
    expect(behaviours).toMatchObject({
      area: [6, 6, 60],
      areaRuns: 2,
      perimeter: [4, 4, 40],
      perimeterRuns: 2,
      squareSides: [12, 12],
      areaRunsAfterSquare: 3,
    });
  });

  it('share in-flight async calls per instance, with the instance as `this`', () => {
    expect(runFixture(flavour, 'behaviours.js')).toMatchObject({
      loads: [1, 1, 10],
      loadShared: true,
      loadHitIsSameObject: true,
      loadRuns: 2,
    });
  });

  it('replay what a record method with the same `name` stored for the same instance only', () => {
    expect(runFixture(flavour, 'behaviours.js')).toMatchObject({
      replayedOwn: 'k@1',
      replayedOther: 'ERR_MEMOTAPE_CACHE_MISS',
      fetchRuns: 1,
    });
  });

  it('keep static methods per class and compute getters once per instance', () => {
    expect(runFixture(flavour, 'behaviours.js')).toMatchObject({
      parsedBy: ['Geometry', 'Geometry', 'Square'],
      parsedHitIsSameObject: true,
      parseRuns: 2,
      expensiveScales: [1, 1, 10],
      expensiveOncePerInstance: true,
      expensiveRuns: 2,
    });
  });

  it('keep the names and lengths of decorated methods', () => {
    expect(runFixture(flavour, 'behaviours.js').names).toEqual(['area', 2, 'parse', 1]);
  });

  it('persist per `instanceKey`, `shared` namespace or class, and refuse an unkeyed method at class definition', () => {
    const cacheDir = path.join(workspace, `cache-${flavour}`);
    const environment = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('MEMOTAPE_')),
    );
    const run = () =>
      JSON.parse(
        execFileSync(process.execPath, [path.join(workspace, flavour, 'persistent.js'), cacheDir], {
          cwd: workspace,
          encoding: 'utf8',
          env: environment,
        }),
      );
    const expected = { results: ['a/k', 'b/k', 'X', 'X', 3], refused: 'ERR_MEMOTAPE_DECORATOR' };
    expect(run()).toEqual({ ...expected, runs: 4 });
    expect(run()).toEqual({ ...expected, runs: 0 });
  });

  it('release a dropped instance and its cached result when it is garbage-collected', () => {
    expect(runFixture(flavour, 'release.js', ['--expose-gc'])).toEqual({
      sizeBefore: 2,
      sizeAfter: 1,
      instanceCollected: true,
      resultCollected: true,
      finalized: ['instance', 'result'],
      keptStillCached: true,
    });
  });
});

describe('standard decorators compiled with tsc', () => {
  it('memoize #private methods per instance, and static #private ones per class', () => {
    expect(runFixture('standard', 'private-members.js')).toEqual({
      opened: ['alice:1', 'alice:1', 'bob:1'],
      secretRuns: 2,
      shared: ['Vault:2', 'Vault:2'],
      sharedRuns: 1,
    });
  });
});
