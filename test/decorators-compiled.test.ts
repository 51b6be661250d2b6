import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectedPrivateMembers,
  itKeepsTheFixtureBehaviours,
  useDecoratorWorkspace,
} from './helpers/decorator-fixtures.js';

// The fixture classes in test/fixtures/decorators are compiled by the repository's own tsc, once with a standard
// tsconfig and once with `experimentalDecorators`, against the built package, and the output runs in plain node.
const root = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(root, 'test', 'fixtures', 'decorators');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const flavours = ['standard', 'legacy'] as const;
type Flavour = (typeof flavours)[number];

const compiled = new Map<Flavour, { status: number | null; output: string }>();

const workspace = useDecoratorWorkspace('memotape-decorators-', (directory) => {
  for (const flavour of flavours) {
    const result = spawnSync(
      process.execPath,
      [tsc, '-p', path.join(fixtures, `tsconfig.${flavour}.json`), '--outDir', path.join(directory, flavour)],
      { cwd: root, encoding: 'utf8' },
    );
    compiled.set(flavour, { status: result.status, output: `${result.stdout}${result.stderr}`.trim() });
  }
});

/** Runs a compiled fixture script and parses the JSON line it prints (once per script). */
function runFixture(flavour: Flavour, script: string, nodeArguments: string[] = []): any {
  return workspace.run(path.join(workspace.directory(), flavour, script), nodeArguments);
}

describe.each(flavours)('%s decorators compiled with tsc', (flavour) => {
  it('compile the fixture classes and the type tests without errors', () => {
    expect(compiled.get(flavour)).toEqual({ status: 0, output: '' });
  });

  itKeepsTheFixtureBehaviours(
    workspace,
    (script) => path.join(workspace.directory(), flavour, `${script}.js`),
    flavour,
  );
});

describe('standard decorators compiled with tsc', () => {
  it('memoize #private methods per instance, and static #private ones per class', () => {
    expect(runFixture('standard', 'private-members.js')).toEqual(expectedPrivateMembers);
  });
});
