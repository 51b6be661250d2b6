import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type PluginItem, transformSync } from '@babel/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  expectedPrivateMembers,
  itKeepsTheFixtureBehaviours,
  useDecoratorWorkspace,
} from './helpers/decorator-fixtures.js';

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

const stripped = new Map<Source, string>();

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

const workspace = useDecoratorWorkspace('memotape-decorators-babel-', () => {
  for (const source of Object.keys(sources) as Source[]) stripped.set(source, stripTypes(source));
  for (const config of configNames) {
    mkdirSync(path.dirname(outputPath(config, 'geometry')));
    for (const source of Object.keys(sources) as Source[]) {
      // Legacy decorators cannot decorate #private members (asserted below).
      if (configs[config].legacy && source === 'private-members') continue;
      writeFileSync(outputPath(config, source), compile(config, source));
    }
  }
});

function outputPath(config: Config, source: Source): string {
  return path.join(workspace.directory(), config.replace(/\W+/g, '-'), `${source}.js`);
}

/** Runs a compiled fixture script and parses the JSON line it prints (once per script). */
function runFixture(config: Config, source: Source, nodeArguments: string[] = []): any {
  return workspace.run(outputPath(config, source), nodeArguments);
}

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

  it('compute once per distinct argument, with the calling instance as `this`', () => {
    expect(runFixture(config, 'method-views')).toMatchObject({
      calls: ['a:1', 'a:1', 'a:2', 'b:1'],
      describeRuns: 3,
      hitIsSameObject: true,
      receivers: ['first', 'first', 'second', 'first'],
      calledOn: 'b:1',
    });
  });

  it('keep the names and lengths of methods reached through an instance', () => {
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

  itKeepsTheFixtureBehaviours(workspace, (script) => outputPath(config, script), config);
});

describe.each(configNames.filter((config) => !configs[config].legacy))('Babel version %s', (config) => {
  it('memoizes #private methods per instance, and static #private ones per class', () => {
    expect(runFixture(config, 'private-members')).toEqual(expectedPrivateMembers);
  });
});

describe.each(configNames.filter((config) => configs[config].legacy))('Babel version %s', (config) => {
  // A Babel limitation, as in TypeScript's experimentalDecorators: legacy decorators predate #private members.
  it('does not compile a decorated #private method', () => {
    expect(() => compile(config, 'private-members')).toThrow();
  });
});
