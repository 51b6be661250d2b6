import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeDiskEntry } from '../../src/stores/disk-entry-format.js';
import { DiskStore } from '../../src/stores/disk-store.js';
import { deleteTaggedFiles, tagsInEntryText } from '../../src/stores/disk-tags.js';
import type { StoredEntry } from '../../src/stores/store.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'memotape-disk-tags-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const key = (n: number) => n.toString(16).padStart(32, '0');

function entry(overrides: Partial<StoredEntry> = {}): StoredEntry {
  return { namespace: 'f', params: { args: [1] }, result: 1, promise: false, createdAt: 0, ...overrides };
}

describe('tagsInEntryText', () => {
  it('reads the tags of an entry file, and none when it has none', () => {
    expect(tagsInEntryText(encodeDiskEntry(key(1), entry({ tags: ['a', 'b'] }), 0).toString())).toEqual(['a', 'b']);
    expect(tagsInEntryText(encodeDiskEntry(key(1), entry(), 0).toString())).toBeUndefined();
  });

  it('is not fooled by marks inside strings (a namespace or tag that looks like JSON keys)', () => {
    const tricky = entry({ namespace: ',"tags":["x"],"promise":', tags: ['],"promise":true', 'y'] });
    expect(tagsInEntryText(encodeDiskEntry(key(1), tricky, 0).toString())).toEqual(['],"promise":true', 'y']);
    const untagged = entry({ namespace: ',"tags":["x"]', params: { args: [',"promise":'] } });
    expect(tagsInEntryText(encodeDiskEntry(key(1), untagged, 0).toString())).toBeUndefined();
  });
});

describe('DiskStore.deleteTagged', () => {
  it('removes the entries carrying any of the tags, keeps the others, and keeps its usage right', () => {
    const store = new DiskStore({ directory });
    store.set(key(1), entry({ tags: ['user:1'] }));
    store.set(key(2), entry({ tags: ['user:2', 'org:7'] }));
    store.set(key(3), entry());
    expect(store.usage().entries).toBe(3);
    expect(store.deleteTagged(['user:1', 'org:7'])).toBe(2);
    expect(store.get(key(1))).toBeUndefined();
    expect(store.get(key(2))).toBeUndefined();
    expect(store.get(key(3))).toBeDefined();
    expect(store.usage().entries).toBe(1);
  });

  it('reads past the first kilobytes when the tags are long, and skips damaged files and stray names', () => {
    const store = new DiskStore({ directory });
    const longTags = Array.from({ length: 400 }, (_, index) => `tag-${index}-${'x'.repeat(10)}`);
    store.set(key(1), entry({ tags: longTags }));
    const shard = path.join(directory, '00');
    writeFileSync(path.join(shard, `${key(99)}.json`), 'garbage');
    writeFileSync(path.join(shard, 'notes.txt'), '"tags":["tag-399"]');
    mkdirSync(path.join(shard, `${key(98)}.json`));
    const deletion = deleteTaggedFiles(directory, new Set(['tag-399-xxxxxxxxxx']));
    expect(deletion).toEqual({ removed: 1, bytes: expect.any(Number), errors: [] });
    expect(store.get(key(1))).toBeUndefined();
  });

  it('does nothing for a folder that does not exist yet', () => {
    expect(new DiskStore({ directory: path.join(directory, 'missing') }).deleteTagged(['a'])).toBe(0);
  });
});
