import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Calls in flight are held weakly (src/wrap.ts): a call whose promise can never settle and that nobody holds any
// more, or a DeferredRecording dropped without being finalized, must not leave its key stuck on it. Proved in a
// child process started with --expose-gc, against the built package.
const root = path.resolve(import.meta.dirname, '..');
const dist = pathToFileURL(path.join(root, 'dist', 'index.js')).href;

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
}, 120_000);

function runWithGc(body: string): unknown {
  const script = `
    const { DeferredRecording, Memoizer } = await import(${JSON.stringify(dist)});
    const collect = async () => {
      for (let round = 0; round < 5; round++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    ${body}
  `;
  const output = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(output);
}

describe('calls in flight, once nothing holds them', () => {
  it('recomputes a call whose promise could never settle, once its caller dropped it', () => {
    const outcome = runWithGc(`
      const memoizer = new Memoizer();
      let runs = 0;
      const load = memoizer.memoize({ name: 'load' })(async (id) => {
        runs++;
        if (runs === 1) await new Promise(() => {}); // nothing can ever resolve it
        return 'loaded ' + id;
      });
      let first = load(1);
      const sharedWhileHeld = load(1) === first;
      first = undefined;
      await collect();
      const second = await load(1);
      console.log(JSON.stringify({ sharedWhileHeld, second, runs }));
    `);
    expect(outcome).toEqual({ sharedWhileHeld: true, second: 'loaded 1', runs: 2 });
  });

  it('recomputes a call whose DeferredRecording was dropped without being finalized', () => {
    const outcome = runWithGc(`
      const memoizer = new Memoizer();
      let runs = 0;
      const pendingFirst = () => new DeferredRecording({ makeInterimResult: () => 'interim' });
      const encoder = () => () => (value) => (runs === 1 ? pendingFirst() : value);
      const build = memoizer.memoize({ name: 'build', resultEncoder: encoder })((id) => {
        runs++;
        return 'built ' + id;
      });
      const first = build(1);
      const whilePending = build(1); // the same job: the recording is still alive
      await collect();
      const second = build(1);
      console.log(JSON.stringify({ first, whilePending, second, runs, cached: build(1) === second }));
    `);
    expect(outcome).toEqual({ first: 'built 1', whilePending: 'interim', second: 'built 1', runs: 2, cached: true });
  });
});
