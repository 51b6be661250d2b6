import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetWarningsForTests } from '../../src/internal/warn.js';
import { createRedactor, SENSITIVE_KEYS, validateRedactOptions } from '../../src/testing/redact.js';

const TOKEN = 'ghp_0123456789abcdef';
const environment = { GITHUB_TOKEN: TOKEN, STRIPE_KEY: 'sk_test_98765', SHORT: 'abc', EMPTY: '' };

beforeEach(() => {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  resetWarningsForTests();
});

describe('secret substitution', () => {
  const redactor = createRedactor({ secrets: ['GITHUB_TOKEN', 'STRIPE_KEY'] }, environment);

  it('replaces each value by <<secret:NAME>> wherever it occurs in a string', () => {
    expect(redactor.result({ header: `Bearer ${TOKEN}`, both: `${TOKEN}/sk_test_98765/${TOKEN}` })).toEqual({
      header: 'Bearer <<secret:GITHUB_TOKEN>>',
      both: '<<secret:GITHUB_TOKEN>>/<<secret:STRIPE_KEY>>/<<secret:GITHUB_TOKEN>>',
    });
  });

  it('replaces URL-encoded and base64-encoded forms too', () => {
    const spaced = createRedactor({ secrets: ['PASS'] }, { PASS: 'p@ss w0rd/1' });
    expect(spaced.result(`https://x.test/?p=${encodeURIComponent('p@ss w0rd/1')}`)).toBe(
      'https://x.test/?p=<<secret:PASS>>',
    );
    const basic = `Basic ${Buffer.from(`octocat:${TOKEN}`).toString('base64')}`;
    expect(redactor.result(basic)).toContain('<<secret:GITHUB_TOKEN>>');
    expect(redactor.result(Buffer.from(TOKEN).toString('base64'))).toBe('<<secret:GITHUB_TOKEN>>');
  });

  it('reaches arrays, nested objects, property names, Maps, Sets, Errors and Buffers', () => {
    const error = Object.assign(new TypeError(`bad token ${TOKEN}`), { detail: TOKEN });
    const redacted = redactor.result({
      list: [1, [TOKEN]],
      [TOKEN]: 'named by the token',
      map: new Map([[TOKEN, TOKEN]]),
      set: new Set([TOKEN]),
      error,
      body: Buffer.from(`{"token":"${TOKEN}"}`),
    }) as Record<string, unknown>;
    expect(redacted.list).toEqual([1, ['<<secret:GITHUB_TOKEN>>']]);
    expect(redacted['<<secret:GITHUB_TOKEN>>']).toBe('named by the token');
    expect(redacted.map).toEqual(new Map([['<<secret:GITHUB_TOKEN>>', '<<secret:GITHUB_TOKEN>>']]));
    expect(redacted.set).toEqual(new Set(['<<secret:GITHUB_TOKEN>>']));
    const redactedError = redacted.error as TypeError & { detail: string };
    expect(redactedError).toBeInstanceOf(TypeError);
    expect(redactedError.message).toBe('bad token <<secret:GITHUB_TOKEN>>');
    expect(redactedError.detail).toBe('<<secret:GITHUB_TOKEN>>');
    expect(Buffer.isBuffer(redacted.body)).toBe(true);
    expect(String(redacted.body)).toBe('{"token":"<<secret:GITHUB_TOKEN>>"}');
  });

  it('never changes the values it is given, and shares what it did not change', () => {
    const untouched = { deep: { list: [1, 2, 3] } };
    const input = { token: TOKEN, untouched };
    const redacted = redactor.result(input) as typeof input;
    expect(input.token).toBe(TOKEN);
    expect(redacted.untouched).toBe(untouched);
    const clean = { a: [1, { b: 'c' }] };
    expect(redactor.result(clean)).toBe(clean);
  });

  it('keeps own __proto__ keys as data and null prototypes as they are', () => {
    const input = JSON.parse(`{"__proto__": {"token": "${TOKEN}"}}`);
    const redacted = redactor.result(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.hasOwn(redacted, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(redacted, '__proto__')?.value).toEqual({ token: '<<secret:GITHUB_TOKEN>>' });
    const bare = Object.assign(Object.create(null), { token: TOKEN });
    expect(Object.getPrototypeOf(redactor.result(bare))).toBeNull();
  });

  it('ignores unset, empty and short values (short ones with one warning)', () => {
    const redactor = createRedactor({ secrets: ['UNSET', 'EMPTY', 'SHORT'] }, environment);
    expect(redactor.secrets).toEqual({ SHORT: 'abc' });
    expect(redactor.result('abc abc')).toBe('abc abc');
    expect(process.emitWarning).toHaveBeenCalledWith(
      expect.stringContaining('the value of SHORT has fewer than 4 characters'),
      expect.objectContaining({ code: 'MEMOTAPE_SHORT_SECRET' }),
    );
  });

  it('leaves cycles for the codec to report', () => {
    const cyclic: Record<string, unknown> = { token: TOKEN };
    cyclic.self = cyclic;
    const redacted = redactor.result(cyclic) as Record<string, unknown>;
    expect(redacted.token).toBe('<<secret:GITHUB_TOKEN>>');
    expect(redacted.self).toBe(cyclic);
  });
});

describe('key redaction', () => {
  const redactor = createRedactor({ keys: SENSITIVE_KEYS }, environment);

  it('replaces the value of every matching property with <<redacted>>, whatever it was', () => {
    expect(
      redactor.params(
        { args: [{ headers: { Authorization: 'Bearer x', Accept: 'json' }, password: { nested: true }, id: 1 }] },
        true,
      ),
    ).toEqual({
      args: [{ headers: { Authorization: '<<redacted>>', Accept: 'json' }, password: '<<redacted>>', id: 1 }],
    });
    expect(redactor.result(new Map([['Cookie', 'a=b']]))).toEqual(new Map([['Cookie', '<<redacted>>']]));
  });

  it('never redacts the `args` key of the default params, even when the pattern matches it', () => {
    const broad = createRedactor({ keys: /args|secret/ }, {});
    expect(broad.params({ args: [{ secret: 1 }] }, true)).toEqual({ args: [{ secret: '<<redacted>>' }] });
    expect(broad.params({ args: 1 }, false)).toEqual({ args: '<<redacted>>' });
  });

  it('ignores the global flag of the pattern (no state carried between properties)', () => {
    const global = createRedactor({ keys: /token/g }, {});
    expect(global.result({ token: 1, tokenB: 2, tokenC: 3 })).toEqual({
      token: '<<redacted>>',
      tokenB: '<<redacted>>',
      tokenC: '<<redacted>>',
    });
  });
});

describe('hooks', () => {
  it('run last, on what secrets and keys left', () => {
    const seen: unknown[] = [];
    const redactor = createRedactor(
      {
        secrets: ['GITHUB_TOKEN'],
        keys: /password/,
        params: (params) => {
          seen.push(params);
          return { ...(params as object), hooked: true };
        },
        result: (result) => ({ wrapped: result }),
      },
      environment,
    );
    expect(redactor.params({ args: [TOKEN, { password: 'x' }] }, true)).toEqual({
      args: ['<<secret:GITHUB_TOKEN>>', { password: '<<redacted>>' }],
      hooked: true,
    });
    expect(seen).toEqual([{ args: ['<<secret:GITHUB_TOKEN>>', { password: '<<redacted>>' }] }]);
    expect(redactor.result(TOKEN)).toEqual({ wrapped: '<<secret:GITHUB_TOKEN>>' });
    expect(redactor.thrown(new Error(TOKEN))).toMatchObject({ message: '<<secret:GITHUB_TOKEN>>' });
  });
});

describe('validateRedactOptions', () => {
  it.each([
    [[], 'Expected `redact` to be an object'],
    [{ secret: [] }, 'Unknown option `redact.secret`'],
    [{ secrets: 'GITHUB_TOKEN' }, 'Expected `redact.secrets` to be an array of environment variable names'],
    [{ secrets: ['not a name'] }, 'Expected `redact.secrets` to be an array of environment variable names'],
    [{ keys: 'token' }, 'Expected `redact.keys` to be a RegExp'],
    [{ params: 1 }, 'Expected `redact.params` to be a function, got number'],
    [{ result: {} }, 'Expected `redact.result` to be a function, got object'],
  ])('rejects %j', (options, message) => {
    expect(() => validateRedactOptions(options)).toThrow(TypeError);
    expect(() => validateRedactOptions(options)).toThrow(message);
  });

  it('accepts the documented shape', () => {
    expect(() =>
      validateRedactOptions({ secrets: ['GITHUB_TOKEN'], keys: SENSITIVE_KEYS, params: (p: unknown) => p }),
    ).not.toThrow();
  });
});
