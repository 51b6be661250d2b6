import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PluginItem, transformSync } from '@babel/core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Babel users: the fixture classes of test/decorators-compiled.test.ts (and method-views.ts beside this Babel suite)
// are compiled by @babel/core with @babel/plugin-proposal-decorators in each current `version`, against the built
// package, and the output runs in plain node. TypeScript only strips the types first: at target ESNext it leaves
// decorators as written (asserted below), so Babel is what lowers them, as @babel/preset-typescript would have it.
const root = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(root, 'test', 'fixtures');
const sources = {
  geometry: path.join(fixtures, 'decorators', 'geometry.ts'),
  behaviours: path.join(fixtures, 'decorators', 'behaviours.ts'),
  persistent: path.join(fixtures, 'decorators', 'persistent.ts'),
  release: path.join(fixtures, 'decorators', 'release.ts'),
  'private-members': path.join(fixtures, 'decorators', 'private-members.ts'),
  'method-views': path.join(fixtures, 'decorators-babel', 'method-views.ts'),
} as const;
type Source = keyof typeof sources;

const decorators = '@babel/plugin-proposal-decorators';
const configs = {
  '2023-11': { plugins: [[decorators, { version: '2023-11' }]], legacy: false },
  '2023-05': { plugins: [[decorators, { version: '2023-05' }]], legacy: false },
  legacy: { plugins: [[decorators, { version: 'legacy' }]], legacy: true },
  // The configuration Babel documents for legacy decorators: class fields lowered too, after the decorators plugin.
  'legacy + class-properties': {
    plugins: [
      [decorators, { version: 'legacy' }],
      ['@babel/plugin-transform-class-properties', { loose: true }],
    ],
    legacy: true,
  },
} satisfies Record<string, { plugins: PluginItem[]; legacy: boolean }>;
type Config = keyof typeof configs;
const configNames = Object.keys(configs) as Config[];

let workspace: string;
const stripped = new Map<Source, string>();
const outputs = new Map<string, unknown>();

function stripTypes(source: Source): string {
  const compilerOptions = { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext };
  return ts.transpileModule(readFileSync(sources[source], 'utf8'), { compilerOptions }).outputText;
}

function compile(config: Config, source: Source): string {
  const result = transformSync(stripped.get(source) ?? '', {
    babelrc: false,
    configFile: false,
    cwd: root, // where the plugin names resolve
    filename: `${source}.js`,
    sourceType: 'module',
    plugins: configs[config].plugins,
  });
  return result?.code ?? '';
}

function outputPath(config: Config, source: Source): string {
  return path.join(workspace, config.replace(/\W+/g, '-'), `${source}.js`);
}

/** Runs a compiled fixture script and parses the JSON line it prints (once per script). */
function runFixture(config: Config, source: Source, nodeArguments: string[] = []): any {
  const file = outputPath(config, source);
  if (!outputs.has(file)) {
    const stdout = execFileSync(process.execPath, [...nodeArguments, file], { cwd: workspace, encoding: 'utf8' });
    outputs.set(file, JSON.parse(stdout));
  }
  return outputs.get(file);
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist', 'index.js'))) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  }
  workspace = mkdtempSync(path.join(tmpdir(), 'memotape-decorators-babel-'));
  // The compiled scripts import 'memotape': resolve it to this repository, as an installed package would be.
  mkdirSync(path.join(workspace, 'node_modules'));
  symlinkSync(root, path.join(workspace, 'node_modules', 'memotape'), 'junction');
  writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  for (const source of Object.keys(sources) as Source[]) stripped.set(source, stripTypes(source));
  for (const config of configNames) {
    mkdirSync(path.dirname(outputPath(config, 'geometry')));
    for (const source of Object.keys(sources) as Source[]) {
      // Legacy decorators cannot decorate #private members (asserted below).
      if (configs[config].legacy && source === 'private-members') continue;
      writeFileSync(outputPath(config, source), compile(config, source));
    }
  }
}, 120_000);

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

it('leaves the decorators to Babel: stripping the types keeps them as written', () => {
  expect(stripped.get('geometry')).toMatch(/^\s*@memoizer\.memoize\(\{ ttl: 60_000 \}\)\n\s*async load\(id\)/m);
  expect(stripped.get('geometry')).toMatch(/^\s*@memoize\n\s*perimeter\(width, height\)/m);
});

describe.each(configNames)('decorators compiled by Babel, version %s', (config) => {
  it('lower every decorator with the helpers of that version', () => {
    const code = readFileSync(outputPath(config, 'geometry'), 'utf8');
    expect(code).not.toMatch(/^\s*@/m);
    expect(code).toContain(configs[config].legacy ? '_applyDecoratedDescriptor' : '_applyDecs');
  });

  it('keep entries per instance and per method, bare or with options', () => {
    expect(runFixture(config, 'behaviours')).toMatchObject({
      area: [6, 6, 60],
      areaRuns: 2,
      perimeter: [4, 4, 40],
      perimeterRuns: 2,
      squareSides: [12, 12],
      areaRunsAfterSquare: 3,
    });
  });

  it('compute once per distinct argument, with the calling instance as `this`', () => {
    expect(runFixture(config, 'method-views')).toMatchObject({
      calls: ['a:1', 'a:1', 'a:2', 'b:1'],
      describeRuns: 3,
      hitIsSameObject: true,
      receivers: ['first', 'first', 'second', 'first'],
      calledOn: 'b:1',
    });
  });

  it('share in-flight async calls per instance, with the instance as `this`', () => {
    expect(runFixture(config, 'behaviours')).toMatchObject({
      loads: [1, 1, 10],
      loadShared: true,
      loadHitIsSameObject: true,
      loadRuns: 2,
    });
  });

  it('replay what a record method with the same `name` stored for the same instance only', () => {
    expect(runFixture(config, 'behaviours')).toMatchObject({
      replayedOwn: 'k@1',
      replayedOther: 'ERR_MEMOTAPE_CACHE_MISS',
      fetchRuns: 1,
    });
  });

  it('keep static methods per class and compute getters once per instance', () => {
    expect(runFixture(config, 'behaviours')).toMatchObject({
      parsedBy: ['Geometry', 'Geometry', 'Square'],
      parsedHitIsSameObject: true,
      parseRuns: 2,
      expensiveScales: [1, 1, 10],
      expensiveOncePerInstance: true,
      expensiveRuns: 2,
    });
  });

  it('keep the names and lengths of decorated methods', () => {
    expect(runFixture(config, 'behaviours').names).toEqual(['area', 2, 'parse', 1]);
    expect(runFixture(config, 'method-views')).toMatchObject({
      names: ['describe', 'describe', 'total'],
      viewIsStable: true,
    });
  });

  it('give each instance, and a static method its class, its own `invalidate` and `peek`', () => {
    expect(runFixture(config, 'method-views')).toMatchObject({
      peeked: ['a:1', 'b:1'],
      afterForget: ['missing', 'b:1'],
      recomputedIsNew: true,
      runsAfterForget: 4,
      totals: [6, 6],
      totalPeek: 6,
      totalRuns: 2,
    });
  });

  it('throw a DecoratorError for a call without an instance, and let an instance override the method', () => {
    expect(runFixture(config, 'method-views')).toMatchObject({ detached: 'ERR_MEMOTAPE_DECORATOR', reassigned: 'own' });
  });

  it('persist per `instanceKey`, `shared` namespace or class, and refuse an unkeyed method at class definition', () => {
    const cacheDir = path.join(workspace, `cache-${config.replace(/\W+/g, '-')}`);
    const environment = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('MEMOTAPE_')),
    );
    const run = () =>
      JSON.parse(
        execFileSync(process.execPath, [outputPath(config, 'persistent'), cacheDir], {
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
    expect(runFixture(config, 'release', ['--expose-gc'])).toEqual({
      sizeBefore: 2,
      sizeAfter: 1,
      instanceCollected: true,
      resultCollected: true,
      finalized: ['instance', 'result'],
      keptStillCached: true,
    });
  });
});

describe.each(configNames.filter((config) => !configs[config].legacy))('Babel version %s', (config) => {
  it('memoizes #private methods per instance, and static #private ones per class', () => {
    expect(runFixture(config, 'private-members')).toEqual({
      opened: ['alice:1', 'alice:1', 'bob:1'],
      secretRuns: 2,
      shared: ['Vault:2', 'Vault:2'],
      sharedRuns: 1,
    });
  });
});

describe.each(configNames.filter((config) => configs[config].legacy))('Babel version %s', (config) => {
  // A Babel limitation, as in TypeScript's experimentalDecorators: legacy decorators predate #private members.
  it('does not compile a decorated #private method', () => {
    expect(() => compile(config, 'private-members')).toThrow();
  });
});
