import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Users meet memotape as a packed tarball installed into their own project: test exactly that.
const root = path.resolve(import.meta.dirname, '..');
let consumer: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: '' }, stdio: 'pipe' });
}

beforeAll(() => {
  consumer = mkdtempSync(path.join(tmpdir(), 'memotape-consumer-'));
  const packDirectory = path.join(consumer, 'pack');
  mkdirSync(packDirectory);
  run('npm', ['pack', '--silent', '--pack-destination', packDirectory], root);
  const tarball = readdirSync(packDirectory).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'commonjs' }),
  );
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', path.join(packDirectory, tarball)],
    consumer,
  );
}, 180_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('works from an ESM .mjs file', () => {
    writeFileSync(
      path.join(consumer, 'esm.mjs'),
      `import { Memoizer, memoize, CacheMissError, DeferredRecording, InterimResult, KeyEncodingError, configure } from 'memotape';
let calls = 0;
const fast = new Memoizer().memoize()((x) => { calls++; return x * 2; });
fast(2); fast(2);
const quick = memoize(function double(x) { return x * 2; });
console.log(JSON.stringify({ calls, value: fast(2), name: quick.name, types: [typeof CacheMissError, typeof DeferredRecording, typeof InterimResult, typeof KeyEncodingError, typeof configure] }));`,
    );
    const output = JSON.parse(run(process.execPath, ['esm.mjs'], consumer));
    expect(output).toEqual({ calls: 1, value: 4, name: 'double', types: Array(5).fill('function') });
  });

  it('works from a CommonJS .cjs file', () => {
    writeFileSync(
      path.join(consumer, 'cjs.cjs'),
      `const { Memoizer, CacheMissError } = require('memotape');
const memoizer = new Memoizer();
const replayed = memoizer.replay({ name: 'f' })((x) => x);
let code;
try { replayed(1); } catch (error) { code = error instanceof CacheMissError && error.code; }
console.log(JSON.stringify({ code }));`,
    );
    expect(JSON.parse(run(process.execPath, ['cjs.cjs'], consumer))).toEqual({ code: 'ERR_MEMOTAPE_CACHE_MISS' });
  });

  it('has no side effects on import: no exit listeners and no files touched', () => {
    const cacheDir = path.join(consumer, 'untouched-cache');
    writeFileSync(
      path.join(consumer, 'side-effects.mjs'),
      `const before = process.listenerCount('exit') + process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
await import('memotape');
const after = process.listenerCount('exit') + process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
console.log(JSON.stringify({ before, after }));`,
    );
    const output = JSON.parse(
      execFileSync(process.execPath, ['side-effects.mjs'], {
        cwd: consumer,
        encoding: 'utf8',
        env: { ...process.env, MEMOTAPE_CACHE_DIR: cacheDir, MEMOTAPE_DUMP: '1' },
      }),
    );
    expect(output.after).toBe(output.before);
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it('type-checks from a TypeScript file, keeping wrapped signatures', () => {
    writeFileSync(
      path.join(consumer, 'typed.ts'),
      `import { Memoizer, memoize, type MemoizerStats } from 'memotape';
function add(a: number, b: number): number { return a + b; }
const fast = new Memoizer().memoize()(add);
const sum: number = fast(1, 2);
// @ts-expect-error: the wrapped function keeps its parameter types
fast('1', 2);
function pick<T>(items: T[], index: number): T | undefined { return items[index]; }
const picked: string | undefined = memoize(pick)(['a'], 0);
const stats: MemoizerStats = new Memoizer().stats();
function format(value: number): string;
function format(value: Date): number;
function format(value: number | Date): string | number { return typeof value === 'number' ? String(value) : value.getTime(); }
const formatted = memoize(format);
const text: string = formatted(1);
const time: number = formatted(new Date(0));
// @ts-expect-error: overloads are kept, so a number never gives a number
const wrong: number = formatted(1);
const asyncFast = new Memoizer().memoize({ name: 'load' })(async (id: string) => ({ id }));
const loaded: Promise<{ id: string }> = asyncFast('a');
export { sum, picked, stats, text, time, wrong, loaded };
`,
    );
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          types: ['node'],
          typeRoots: [path.join(root, 'node_modules', '@types')],
        },
        files: ['typed.ts'],
      }),
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer)).not.toThrow();
  });
});
