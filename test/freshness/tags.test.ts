import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { configure, resetSettingsForTests } from '../../src/config.js';
import { flushDump } from '../../src/dump/flush.js';
import { resetParticipantsForTests } from '../../src/dump/participants.js';
import { DeferredRecording, Memoizer, PersistentMemoizer } from '../../src/index.js';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { internals } from '../../src/memoizer.js';
import { deferred, recordDump, removeTemporaryDirectories, temporaryDirectory } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
  resetSettingsForTests();
  resetWarningsForTests();
  resetParticipantsForTests();
});

afterAll(removeTemporaryDirectories);

interface Profile {
  readonly id: number;
  readonly orgId: number;
}

/** The example: a user lookup and a profile derived from it, both tagged with the user. */
function usersAndProfiles(memoizer: Memoizer) {
  const loadUser = vi.fn((id: number) => ({ id, name: `user ${id}` }));
  const loadProfile = vi.fn((id: number): Profile => ({ id, orgId: 7 }));
  const getUser = memoizer.memoize({ name: 'getUser', tags: (_user, id: number) => [`user:${id}`] })(loadUser);
  const getProfile = memoizer.memoize({
    name: 'getProfile',
    tags: (profile: Profile, id: number) => [`user:${id}`, `org:${profile.orgId}`],
  })(loadProfile);
  return { loadUser, loadProfile, getUser, getProfile };
}

describe('invalidateTags in memory', () => {
  it('drops every entry carrying the tag, in every function, and nothing else', async () => {
    const memoizer = new Memoizer();
    const { loadUser, loadProfile, getUser, getProfile } = usersAndProfiles(memoizer);
    getUser(123);
    getProfile(123);
    getUser(456);
    await memoizer.invalidateTags(['user:123']);
    expect(getUser.peek(123)).toBeUndefined();
    expect(getProfile.peek(123)).toBeUndefined();
    expect(getUser.peek(456)).toEqual({ id: 456, name: 'user 456' });
    getUser(123);
    getProfile(123);
    expect(loadUser).toHaveBeenCalledTimes(3);
    expect(loadProfile).toHaveBeenCalledTimes(2);
    expect(memoizer.stats().invalidations).toBe(2);
  });

  it('uses tags computed from the result: an org tag reaches every profile of the org', async () => {
    const memoizer = new Memoizer();
    const { getProfile, getUser } = usersAndProfiles(memoizer);
    getProfile(1);
    getProfile(2);
    getUser(1);
    await memoizer.invalidateTags(['org:7']);
    expect(getProfile.peek(1)).toBeUndefined();
    expect(getProfile.peek(2)).toBeUndefined();
    expect(getUser.peek(1)).toBeDefined();
  });

  it('forgets the tags of entries replaced, evicted and expired', async () => {
    const memoizer = new Memoizer({ maxEntries: 2 });
    const tagged = memoizer.record({ name: 'tagged', tags: (result: string) => [result] })((tag: string) => tag);
    tagged('a');
    tagged('b');
    tagged('c');
    await memoizer.invalidateTags(['a', 'b', 'c']);
    expect(memoizer.stats()).toMatchObject({ size: 0, invalidations: 2, evictions: 1 });
  });

  it('refuses tags that are not strings', () => {
    const memoizer = new Memoizer();
    expect(() => memoizer.invalidateTags('user:1' as never)).toThrow(TypeError);
    expect(() => memoizer.invalidateTags([1] as never)).toThrow(TypeError);
  });
});

describe('a call in flight when its tag is invalidated', () => {
  it('returns its result to its callers but does not store it, and a later call computes afresh', async () => {
    const memoizer = new Memoizer();
    const responses = [deferred<{ id: number; version: number }>(), deferred<{ id: number; version: number }>()];
    let calls = 0;
    const fetchUser = memoizer.memoize({ name: 'fetchUser', tags: (_user, id: number) => [`user:${id}`] })(
      (_id: number) => responses[calls++]!.promise,
    );
    const inFlight = fetchUser(1);
    await memoizer.invalidateTags(['user:1']);
    const after = fetchUser(1);
    expect(calls).toBe(2);
    responses[0]!.resolve({ id: 1, version: 1 });
    await expect(inFlight).resolves.toEqual({ id: 1, version: 1 });
    expect(fetchUser.peek(1)).toBeUndefined();
    responses[1]!.resolve({ id: 1, version: 2 });
    await after;
    await expect(fetchUser.peek(1)).resolves.toEqual({ id: 1, version: 2 });
  });

  it('stores a result whose own tags were not invalidated', async () => {
    const memoizer = new Memoizer();
    const response = deferred<number>();
    const fetchCount = memoizer.memoize({ tags: (_count, id: number) => [`user:${id}`] })(
      (_id: number) => response.promise,
    );
    const inFlight = fetchCount(1);
    await memoizer.invalidateTags(['user:2']);
    response.resolve(5);
    await inFlight;
    await expect(fetchCount.peek(1)).resolves.toBe(5);
  });

  it('applies to deferred recordings that finalize after the invalidation', async () => {
    const memoizer = new Memoizer();
    let recording: DeferredRecording<number, number> | undefined;
    const start = memoizer.memoize({
      tags: () => ['jobs'],
      resultEncoder: () => () => (_job: number) => {
        recording = new DeferredRecording<number, number>();
        return recording as never;
      },
    })((id: number) => id);
    start(1);
    await memoizer.invalidateTags(['jobs']);
    recording!.finalize(1);
    expect(start.peek(1)).toBeUndefined();
  });
});

describe('tags on disk', () => {
  it('are stored in the entry file, and invalidateTags removes the tagged files only', async () => {
    const cacheDir = temporaryDirectory();
    const persistent = new PersistentMemoizer({ cacheDir, subDir: 'users' });
    const { getUser, getProfile, loadUser } = usersAndProfiles(persistent);
    getUser(1);
    getProfile(1);
    getUser(2);
    expect(persistent.stats().disk.entries).toBe(3);
    await persistent.invalidateTags(['user:1']);
    expect(persistent.stats().disk.entries).toBe(1);
    const reader = new PersistentMemoizer({ cacheDir, subDir: 'users' });
    const again = usersAndProfiles(reader);
    again.getUser(2);
    expect(again.loadUser).not.toHaveBeenCalled();
    again.getUser(1);
    expect(again.loadUser).toHaveBeenCalledTimes(1);
    expect(loadUser).toHaveBeenCalledTimes(2);
  });

  it('leave other subDirs alone', async () => {
    const cacheDir = temporaryDirectory();
    const first = new PersistentMemoizer({ cacheDir, subDir: 'first' });
    const second = new PersistentMemoizer({ cacheDir, subDir: 'second' });
    first.memoize({ name: 'f', tags: () => ['shared'] })((x: number) => x)(1);
    second.memoize({ name: 'f', tags: () => ['shared'] })((x: number) => x)(1);
    await first.invalidateTags(['shared']);
    expect(first.stats().disk.entries).toBe(0);
    expect(second.stats().disk.entries).toBe(1);
  });
});

describe('tags in the dump', () => {
  it('are written with the entry, and invalidateTags drops preloaded entries for this memoizer', async () => {
    const cacheDir = temporaryDirectory();
    configure({ cacheDir });
    const memoizer = new Memoizer();
    memoizer.memoize({ name: 'getUser', tags: (_user, id: number) => [`user:${id}`] })((id: number) => ({ id }))(9);
    expect(flushDump().status).toBe('written');
    const dump = JSON.parse(readFileSync(path.join(cacheDir, 'memoizer_cache.json'), 'utf8'));
    expect(Object.values(dump.collections.null)).toEqual([
      { namespace: 'getUser', params: { args: [9] }, promise: false, result: { id: 9 }, tags: ['user:9'] },
    ]);

    const file = await recordDump((recorder) => {
      recorder.memoize({ name: 'getUser', tags: (_user, id: number) => [`user:${id}`] })((id: number) => ({ id }))(9);
    });
    const load = vi.fn((id: number) => ({ id }));
    const preloaded = new Memoizer({ preloadFrom: file });
    const getUser = preloaded.memoize({ name: 'getUser' })(load);
    expect(getUser.peek(9)).toEqual({ id: 9 });
    await preloaded.invalidateTags(['user:9']);
    expect(getUser.peek(9)).toBeUndefined();
    getUser(9);
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('a tier that cannot remove by tag', () => {
  it('keeps its entries, with one warning', async () => {
    const warnings: MockInstance<typeof process.emitWarning> = vi
      .spyOn(process, 'emitWarning')
      .mockImplementation(() => {});
    const memoizer = new Memoizer();
    const store = new Map();
    memoizer[internals].addTier({
      name: 'disk',
      store: {
        get: (key) => store.get(key),
        set: (key, value) => void store.set(key, value),
        delete: (key) => store.delete(key),
        clear: () => store.clear(),
      },
    });
    memoizer.memoize({ name: 'f', tags: () => ['t'] })((x: number) => x)(1);
    await memoizer.invalidateTags(['t']);
    await memoizer.invalidateTags(['t']);
    expect(store.size).toBe(1);
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(warnings.mock.calls[0]?.[1]).toMatchObject({ code: 'MEMOTAPE_TAGS_UNSUPPORTED' });
  });
});
