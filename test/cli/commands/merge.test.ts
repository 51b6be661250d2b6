import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChild } from '../../dump/helpers.js';
import { recordDump, root, useInstalledCli } from '../helpers.js';

let dumpA: string;
let dumpB: string;

const cli = useInstalledCli((installed) => {
  dumpA = recordDump(installed, 'a');
  dumpB = recordDump(installed, 'b');
});

interface DumpJson {
  cache_size: number;
  collections: Record<string, Record<string, { namespace: string; params: { args: unknown[] }; result: unknown }>>;
}

function readJson(file: string): DumpJson {
  return JSON.parse(readFileSync(file, 'utf8')) as DumpJson;
}

/** The recorded name in fetchUser(1)'s result: 'Ada' in dump a, 'Ada Lovelace' in dump b. */
function firstUserName(file: string): string {
  const entries = Object.values(readJson(file).collections.null ?? {});
  const entry = entries.find((candidate) => candidate.namespace === 'fetchUser' && candidate.params.args[0] === 1);
  return (entry?.result as { name: string }).name;
}

describe('memotape merge', () => {
  it('merges every input into a new file; for a shared key the last input wins', () => {
    const out = path.join(cli.folder(), 'merged.json');
    const result = cli.run(['merge', out, dumpA, dumpB]);
    expect(result).toEqual({
      code: 0,
      stdout: `merged 5 entries from 2 files into ${out} (5 entries in it now)\n`,
      stderr: '',
    });
    expect(readJson(out).cache_size).toBe(5);
    expect(firstUserName(out)).toBe('Ada Lovelace');
    // The file is the stable dump format: merging the same inputs again gives the same bytes.
    const bytes = readFileSync(out, 'utf8');
    expect(cli.run(['merge', out, dumpA, dumpB]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(bytes);
  });

  it('lets the inputs win over what the output already holds, and keeps its other entries', () => {
    const out = path.join(cli.folder(), 'fixture.json');
    copyFileSync(dumpB, out);
    const result = cli.run(['merge', out, dumpA, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ out, inputs: [dumpA], status: 'written', entries: 4, total: 5 });
    expect(firstUserName(out)).toBe('Ada');
  });

  it('writes nothing when an input does not parse (exit 1) or does not exist (exit 2)', () => {
    const folder = cli.folder();
    const out = path.join(folder, 'out.json');
    const broken = path.join(folder, 'broken.json');
    writeFileSync(broken, '{"cache_size": 1, "collections": {"null": {"xyz": {}}}, "version": 1}');
    const corrupt = cli.run(['merge', out, dumpA, broken]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^memotape merge: .*broken\.json is not a valid dump file: .*32 lowercase hex/);
    const missing = cli.run(['merge', out, dumpA, path.join(folder, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 for a --lock-timeout it cannot read', () => {
    const result = cli.run(['merge', path.join(cli.folder(), 'out.json'), dumpA, '--lock-timeout', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--lock-timeout takes a duration such as 500ms, 10s or 1m, got "soon"');
  });

  it('leaves an output that is not a dump file untouched (exit 1)', () => {
    const out = path.join(cli.folder(), 'notes.json');
    writeFileSync(out, '{"my": "notes"}');
    const result = cli.run(['merge', out, dumpA]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not a valid dump file: .*; fix or remove it before merging into it\n$/);
    expect(readFileSync(out, 'utf8')).toBe('{"my": "notes"}');
  });

  it('takes the dump lock: while another process holds it, the entries wait in a side file (exit 1)', async () => {
    const folder = cli.folder();
    const out = path.join(folder, 'locked.json');
    const holder = startChild(path.join(root, 'test', 'fixtures', 'dump', 'hold-lock.mjs'), {
      CHILD_ROOT: path.join(cli.consumer, 'node_modules', 'memotape'),
      CHILD_LOCK_FILE: out,
    });
    await holder.waitFor('READY');
    const blocked = cli.run(['merge', out, dumpA, '--lock-timeout', '300ms']);
    expect(blocked.code).toBe(1);
    // One line: the outcome, not a second copy of it as a warning.
    expect(blocked.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining(`memotape merge: the lock of ${out} stayed busy`),
    ]);
    const sideFiles = readdirSync(folder).filter((name) => name.endsWith('.pending'));
    expect(sideFiles).toHaveLength(1);
    expect(existsSync(out)).toBe(false);

    holder.process.kill('SIGTERM');
    await holder.done;
    const next = cli.run(['merge', out, dumpB]);
    expect(next.code).toBe(0);
    // The side file was folded in (and removed); dump b's entries, merged last, win.
    expect(readJson(out).cache_size).toBe(5);
    expect(firstUserName(out)).toBe('Ada Lovelace');
    expect(readdirSync(folder).filter((name) => name.endsWith('.pending'))).toEqual([]);
  });
});
