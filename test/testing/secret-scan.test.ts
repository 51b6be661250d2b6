import { describe, expect, it } from 'vitest';
import { encodeTagged, type Json } from '../../src/codec.js';
import type { DumpContents, DumpEntry } from '../../src/dump/dump-format.js';
import { readSecretValues, scanDumpForSecrets } from '../../src/testing/secret-scan.js';

const TOKEN = 'ghp_0123456789abcdef';
const KEY = '0123456789abcdef0123456789abcdef';

function dumpOf(result: unknown, params: unknown = { args: [] }): DumpContents {
  const entry: DumpEntry = {
    namespace: 'github.getUser',
    params: encodeTagged(params, 'params') as Json,
    result: encodeTagged(result) as Json,
    promise: false,
  };
  return { version: 1, collections: new Map([['null', new Map([[KEY, entry]])]]) };
}

describe('scanDumpForSecrets', () => {
  it('finds a raw value and names the secret, the entry and the JSON path, never the value', () => {
    const leaks = scanDumpForSecrets(dumpOf({ headers: { authorization: `token ${TOKEN}` } }), { GITHUB_TOKEN: TOKEN });
    expect(leaks).toEqual([
      {
        secretName: 'GITHUB_TOKEN',
        encoding: 'raw',
        collection: 'null',
        key: KEY,
        namespace: 'github.getUser',
        path: 'result.headers.authorization',
      },
    ]);
    expect(JSON.stringify(leaks)).not.toContain(TOKEN);
  });

  it('finds URL-encoded values in params', () => {
    const secret = 'p@ss w0rd!';
    const leaks = scanDumpForSecrets(dumpOf(null, { args: [`/login?p=${encodeURIComponent(secret)}`] }), {
      PASSWORD: secret,
    });
    expect(leaks).toMatchObject([{ secretName: 'PASSWORD', encoding: 'url', path: 'params.args[0]' }]);
  });

  it.each([0, 1, 2, 3, 4, 5])('finds a base64-encoded value at any alignment (prefix of %i bytes)', (prefix) => {
    const basic = Buffer.from(`${'u'.repeat(prefix)}:${TOKEN}`).toString('base64');
    const leaks = scanDumpForSecrets(dumpOf({ header: `Basic ${basic}` }), { GITHUB_TOKEN: TOKEN });
    expect(leaks).toMatchObject([{ encoding: 'base64', path: 'result.header' }]);
  });

  it('finds a value inside a recorded Buffer (stored as base64) and in URL-safe base64', () => {
    expect(scanDumpForSecrets(dumpOf({ body: Buffer.from(`xx${TOKEN}yy`) }), { T: TOKEN })).toMatchObject([
      { encoding: 'base64', path: 'result.body.v' },
    ]);
    const urlSafe = Buffer.from(`\u00ff\u00fe${TOKEN}`).toString('base64url');
    expect(scanDumpForSecrets(dumpOf(urlSafe), { T: TOKEN })).toMatchObject([{ encoding: 'base64', path: 'result' }]);
  });

  it('names the object, not the property name, when a property name holds the secret', () => {
    expect(scanDumpForSecrets(dumpOf({ users: { [TOKEN]: 1 } }), { T: TOKEN })).toMatchObject([
      { path: 'result.users (a property name)' },
    ]);
  });

  it('reports each secret once per place, and every place', () => {
    const other = 'sk_live/other+key';
    const leaks = scanDumpForSecrets(dumpOf([`${TOKEN} ${TOKEN} ${encodeURIComponent(other)}`, `${other}${TOKEN}`]), {
      A: TOKEN,
      B: other,
    });
    expect(leaks.map((leak) => `${leak.secretName}@${leak.path}`)).toEqual([
      'A@result[0]',
      'B@result[0]',
      'A@result[1]',
      'B@result[1]',
    ]);
  });

  it('skips placeholders, unset secrets and values shorter than 4 characters', () => {
    const dump = dumpOf({ note: '<<secret:SECRET>> <<redacted>>', tiny: 'abc' });
    expect(scanDumpForSecrets(dump, { SECRET: 'secret', REDACT: 'redacted', TINY: 'abc' })).toEqual([]);
    expect(scanDumpForSecrets(dump, {})).toEqual([]);
  });

  it('answers nothing for clean content', () => {
    expect(scanDumpForSecrets(dumpOf({ login: 'octocat' }), { GITHUB_TOKEN: TOKEN })).toEqual([]);
  });
});

describe('readSecretValues', () => {
  it('reads the named variables, leaving out unset and empty ones', () => {
    expect(readSecretValues(['A', 'B', 'C'], { A: 'alpha', B: '', D: 'delta' })).toEqual({ A: 'alpha' });
  });
});
