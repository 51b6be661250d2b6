import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built package (run `npm run build` first; `npm test` does), installed where no `redis` package can be found.
const root = path.resolve(import.meta.dirname, '../..');
let project: string;

function node(code: string, type: 'module' | 'commonjs'): unknown {
  const output = execFileSync(process.execPath, ['--input-type', type, '-e', code], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: '' },
  });
  return JSON.parse(output);
}

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'memotape-no-redis-'));
  const installed = path.join(project, 'node_modules', 'memotape');
  mkdirSync(installed, { recursive: true });
  cpSync(path.join(root, 'dist'), path.join(installed, 'dist'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(installed, 'package.json'));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

const describeError = 'e => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }))';

describe('the memotape/redis entry without the redis package', () => {
  it('throws a RedisTierError telling to npm install redis, when imported', () => {
    const error = node(`import('memotape/redis').then(() => console.log('{}'), ${describeError});`, 'module');
    expect(error).toMatchObject({ name: 'RedisTierError', code: 'ERR_MEMOTAPE_REDIS' });
    expect((error as { message: string }).message).toMatch(/npm install redis/);
  });

  it('throws the same error when required', () => {
    const error = node(
      `try { require('memotape/redis'); console.log('{}'); } catch (e) { (${describeError})(e); }`,
      'commonjs',
    );
    expect(error).toMatchObject({ name: 'RedisTierError', code: 'ERR_MEMOTAPE_REDIS' });
  });

  it('leaves the core entry working', () => {
    const loaded = node(
      `import('memotape').then((m) => console.log(JSON.stringify({ Memoizer: typeof m.Memoizer })));`,
      'module',
    );
    expect(loaded).toEqual({ Memoizer: 'function' });
  });
});

describe('the core memotape entry', () => {
  it('never loads redis, even where it is installed', () => {
    const code = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
      const cache = createRequire(import.meta.url).cache;
      console.log(JSON.stringify(Object.keys(cache).filter((file) => file.includes('node_modules/redis') || file.includes('@redis'))));`;
    expect(node(code, 'module')).toEqual([]);
  });
});
