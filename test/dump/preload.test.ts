import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../../src/config.js';
import { type DumpCollections, serializeDump, toDumpEntry } from '../../src/dump/dump-format.js';
import { CacheMissError } from '../../src/errors.js';
import { internals, Memoizer } from '../../src/memoizer.js';
import { captureWarnings } from '../helpers/warnings.js';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

const warnings = captureWarnings();

afterEach(() => {
  resetSettingsForTests();
});

afterAll(removeTemporaryDirectories);

/** Records with a fresh memoizer of `subKey` (awaiting async recordings) and writes its entries as a dump file. */
async function recordDump(subKey: string | undefined, record: (memoizer: Memoizer) => unknown): Promise<string> {
  const memoizer = new Memoizer(subKey === undefined ? {} : { subKey });
  await record(memoizer);
  const collection = new Map(
    [...memoizer[internals].exportEntries()].map(({ key, entry }) => [key, toDumpEntry(entry)]),
  );
  const collections: DumpCollections = new Map([[memoizer.collection, collection]]);
  const file = path.join(temporaryDirectory(), 'fixture.json');
  writeFileSync(file, serializeDump({ version: 1, collections }));
  return file;
}

function shouldNotRun(..._args: unknown[]): never {
  throw new Error('the function ran during a replay');
}

const warningMessages = warnings.codes;

describe('preloading a dump file', () => {
  it('replays the stored result without calling the function', async () => {
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'area' })((w: number) => w * w)(3));
    const memoizer = new Memoizer({ preloadFrom: file });
    const replayed = memoizer.replay({ name: 'area' })(shouldNotRun);
    expect(replayed(3)).toBe(9);
    expect(replayed(3)).toBe(9);
    expect(memoizer.stats().hits).toMatchObject({ preload: 1, memory: 1 });
  });

  it('gives an async function a promise of the stored value', async () => {
    const file = await recordDump('api', (memoizer) =>
      memoizer.record({ name: 'fetchUser' })(async (id: number) => ({ id }))(7),
    );
    const replayed = new Memoizer({ subKey: 'api', preloadFrom: file }).replay({ name: 'fetchUser' })(shouldNotRun);
    const answer = replayed(7);
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).resolves.toEqual({ id: 7 });
  });

  it('loads only its own collection ("null" without a subKey)', async () => {
    const file = await recordDump('pad-mm', (memoizer) => memoizer.record({ name: 'f' })(() => 1)());
    expect(new Memoizer({ subKey: 'pad-mm', preloadFrom: file }).replay({ name: 'f' })(shouldNotRun)()).toBe(1);
    expect(() => new Memoizer({ preloadFrom: file }).replay({ name: 'f' })(shouldNotRun)()).toThrow(CacheMissError);
  });

  it('reads the file when the memoizer is created, so it may be deleted afterwards', async () => {
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'f' })(() => 'kept')());
    const memoizer = new Memoizer({ preloadFrom: file });
    rmSync(file);
    expect(memoizer.replay({ name: 'f' })(shouldNotRun)()).toBe('kept');
  });

  it('uses the preloadFrom setting (MEMOTAPE_DUMP_FILE) when the option is absent', async () => {
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'f' })(() => 'from settings')());
    configure({ preloadFrom: file });
    expect(new Memoizer().replay({ name: 'f' })(shouldNotRun)()).toBe('from settings');
  });

  it('brings back types and prototype-like keys as data, without polluting a prototype', async () => {
    const value = {
      at: new Date(5),
      big: 12n,
      map: new Map([[1, new Set([undefined])]]),
      bytes: new Uint16Array([1, 65535]),
      negativeZero: -0,
      ...JSON.parse('{"__proto__": {"polluted": true}, "constructor": "data"}'),
    };
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'f' })(() => value)());
    const replayed = new Memoizer({ preloadFrom: file }).replay({ name: 'f' })(shouldNotRun)() as typeof value;
    expect(replayed).toStrictEqual(value);
    expect(Object.is(replayed.negativeZero, -0)).toBe(true);
    expect(Object.hasOwn(replayed, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(replayed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('decodes a preloaded entry only when a lookup first hits it', async () => {
    const file = await recordDump(undefined, (memoizer) => {
      const square = memoizer.record({ name: 'square' })((n: number) => n * n);
      for (let n = 0; n < 10; n++) square(n);
    });
    const parse = vi.spyOn(JSON, 'parse');
    const entriesDecoded = () =>
      parse.mock.calls.filter(([text]) => String(text).startsWith('{\n        "namespace"')).length;
    const replayed = new Memoizer({ preloadFrom: file }).replay({ name: 'square' })(shouldNotRun);
    expect(entriesDecoded()).toBe(0);
    expect(replayed(7)).toBe(49);
    expect(entriesDecoded()).toBe(1);
  });

  it('preloads a valid file in another layout (written by hand or by another tool)', async () => {
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'f' })((n: number) => n + 1)(1));
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))));
    expect(new Memoizer({ preloadFrom: file }).replay({ name: 'f' })(shouldNotRun)(1)).toBe(2);
    expect(warningMessages()).toEqual([]);
  });

  it('treats an entry past its expiresAt as a miss', async () => {
    let now = 1000;
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'f', ttl: 10 })(() => 'fresh')());
    const memoizer = new Memoizer({ preloadFrom: file, clock: () => now });
    now = Date.now() + 60_000;
    expect(() => memoizer.replay({ name: 'f' })(shouldNotRun)()).toThrow(CacheMissError);
  });

  describe('a preload file that cannot be used', () => {
    it('is one warning naming the path when it is missing; the replay names the function and key', async () => {
      const file = path.join(temporaryDirectory(), 'missing.json');
      const first = new Memoizer({ preloadFrom: file });
      new Memoizer({ preloadFrom: file });
      expect(warningMessages()).toEqual([
        expect.stringContaining(`MEMOTAPE_PRELOAD_FAILED: cannot preload from ${file}`),
      ]);
      let miss: unknown;
      try {
        first.replay({ name: 'fetchUser' })(shouldNotRun)(1);
      } catch (error) {
        miss = error;
      }
      expect(miss).toBeInstanceOf(CacheMissError);
      expect(miss).toMatchObject({ functionName: 'fetchUser', key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    });

    it.each([
      ['corrupt', 'not json at all', 'it is not JSON'],
      ['of another version', '{"version": 9, "collections": {}}', 'version 9 is not supported'],
    ])('is one warning naming the path when it is %s', (_, text, reason) => {
      const file = path.join(temporaryDirectory(), 'bad.json');
      writeFileSync(file, text);
      const memoizer = new Memoizer({ preloadFrom: file });
      expect(warningMessages()).toEqual([expect.stringContaining(file)]);
      expect(warningMessages()[0]).toContain(reason);
      expect(() => memoizer.replay({ name: 'f' })(shouldNotRun)()).toThrow(CacheMissError);
    });

    it('is one warning when it is a folder', async () => {
      const file = path.join(temporaryDirectory(), 'folder.json');
      mkdirSync(file);
      new Memoizer({ preloadFrom: file });
      expect(warningMessages()).toEqual([expect.stringContaining(file)]);
    });
  });
});

describe('cacheClear on a preloaded memoizer', () => {
  it('forgets preloaded entries too, as the seed does, and leaves the file alone', async () => {
    const file = await recordDump(undefined, (memoizer) => memoizer.record({ name: 'area' })((w: number) => w * w)(4));
    const memoizer = new Memoizer({ preloadFrom: file });
    const replayed = memoizer.replay({ name: 'area' })(shouldNotRun);
    expect(replayed(4)).toBe(16);
    memoizer.cacheClear();
    expect(() => replayed(4)).toThrow(CacheMissError);
    expect(new Memoizer({ preloadFrom: file }).replay({ name: 'area' })(shouldNotRun)(4)).toBe(16);
  });
});
