import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryPath, isEntryFileName, isShardName, isTempName, storeDirectory } from '../../src/stores/disk-layout.js';

const key = '3f1c0123456789abcdef0123456789ab';

describe('disk layout', () => {
  it('puts each store under a versioned layout folder, named by its subDir or _default', () => {
    expect(storeDirectory('/cache', 'should-pad')).toBe(path.join('/cache', 'disk-v1', 'should-pad'));
    expect(storeDirectory('/cache', undefined)).toBe(path.join('/cache', 'disk-v1', '_default'));
  });

  it('names an entry file by its key inside a shard folder named by the first two hex digits', () => {
    expect(entryPath('/store', key)).toBe(path.join('/store', '3f', `${key}.json`));
  });

  it('tells shard folders, entry files and temp files apart', () => {
    expect(isShardName('3f')).toBe(true);
    expect(isShardName('3F')).toBe(false);
    expect(isEntryFileName(`${key}.json`)).toBe(true);
    expect(isEntryFileName(`${key}.json.damaged-1-ab`)).toBe(false);
    expect(isTempName(`.memotape-tmp-${key}.json.1.0.abcdef`)).toBe(true);
    expect(isTempName(`${key}.json`)).toBe(false);
  });
});
