// Redaction in a fixture tape: before keying, in what is stored, and the last scan before every write.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { DeferredRecording } from '../../src/deferred-recording.js';
import { fixtures } from '../../src/testing/fixtures.js';
import { scanFixtureFile } from '../../src/testing/index.js';
import { area, fixtureEntries, fixturePath, isolateTapes, shouldNotRun } from './helpers.js';

isolateTapes();

function _counted<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & { calls: number } {
  const wrapper = Object.assign(
    (...args: A) => {
      wrapper.calls++;
      return fn(...args);
    },
    { calls: 0 },
  );
  return wrapper;
}

const _getUser = async (login: string) => ({ login, joined: new Date(Date.UTC(2020, 0, 1)) });

describe('redaction', () => {
  const TOKEN = 'ghp_realToken0123456789';
  const fetchRepo = async (name: string, token: string) => ({ name, seenWith: `token ${token}` });

  it('happens before keying: a run with the real token and a run with a placeholder find the same entry', async () => {
    const file = fixturePath();
    vi.stubEnv('GITHUB_TOKEN', TOKEN);
    const recording = fixtures(file, { redact: { secrets: ['GITHUB_TOKEN'] } });
    const recorded = recording.memoize({ name: 'github.getRepo' })(fetchRepo);
    // The caller of a recording call gets the real result...
    expect(await recorded('memotape', TOKEN)).toEqual({ name: 'memotape', seenWith: `token ${TOKEN}` });
    recording.save();
    // ...the file gets the redacted one.
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(fixtureEntries(file)[0]).toMatchObject({
      params: { args: ['memotape', '<<secret:GITHUB_TOKEN>>'] },
      result: { seenWith: 'token <<secret:GITHUB_TOKEN>>' },
    });

    vi.stubEnv('GITHUB_TOKEN', 'placeholder-token');
    vi.stubEnv('CI', 'true');
    const replaying = fixtures(file, { redact: { secrets: ['GITHUB_TOKEN'] } });
    const replayed = replaying.memoize({ name: 'github.getRepo' })(shouldNotRun);
    expect(await replayed('memotape', 'placeholder-token')).toEqual({
      name: 'memotape',
      seenWith: 'token <<secret:GITHUB_TOKEN>>',
    });
  });

  it('redacts properties by name, so a replay without any credential hits', () => {
    const file = fixturePath();
    const request = (options: { url: string; headers: Record<string, string> }) => `GET ${options.url}`;
    const recording = fixtures(file, { redact: { keys: /authorization|cookie/i } });
    recording.memoize({ name: 'http.get' })(request)({ url: '/me', headers: { Authorization: 'Bearer abc123' } });
    recording.save();
    expect(readFileSync(file, 'utf8')).not.toContain('abc123');
    const replayed = fixtures(file, { mode: 'replay', redact: { keys: /authorization|cookie/i } }).memoize({
      name: 'http.get',
    })(shouldNotRun);
    expect(replayed({ url: '/me', headers: { Authorization: 'Bearer other' } })).toBe('GET /me');
  });

  it('runs the hooks last, after the user encoders', () => {
    const file = fixturePath();
    vi.stubEnv('GITHUB_TOKEN', TOKEN);
    const tape = fixtures(file, {
      redact: {
        secrets: ['GITHUB_TOKEN'],
        params: (params) => ({ ...(params as object), hooked: true }),
        result: (result) => ({ ...(result as object), requestId: '<<redacted>>' }),
      },
    });
    const wrapped = tape.memoize<[number], any, any>({
      name: 'api.call',
      paramsEncoder: (id: number) => ({ id, token: TOKEN }),
      resultEncoder: () => () => (result: { id: number; requestId: string }) => ({ ...result, encoded: true }),
      resultDecoder: () => () => (stored: { id: number }) => ({ ...stored, decoded: true }),
    })((id: number) => ({ id, requestId: 'r-1' }));
    expect(wrapped(1)).toEqual({ id: 1, requestId: 'r-1' });
    expect(wrapped(1)).toEqual({ id: 1, requestId: '<<redacted>>', encoded: true, decoded: true });
    tape.save();
    expect(fixtureEntries(file)[0]).toMatchObject({
      params: { id: 1, token: '<<secret:GITHUB_TOKEN>>', hooked: true },
      result: { id: 1, requestId: '<<redacted>>', encoded: true },
    });
  });

  it('redacts what a deferred recording finalizes with', () => {
    const file = fixturePath();
    vi.stubEnv('GITHUB_TOKEN', TOKEN);
    const tape = fixtures(file, { redact: { secrets: ['GITHUB_TOKEN'] } });
    const recordings: DeferredRecording<string, string>[] = [];
    const wrapped = tape.memoize<[], string, string>({
      name: 'slow.job',
      resultEncoder: () => () => () => {
        const recording = new DeferredRecording<string, string>();
        recordings.push(recording);
        return recording;
      },
    })(() => 'started');
    expect(wrapped()).toBe('started');
    expect(tape.save().status).toBe('unchanged');
    recordings[0]?.finalize(`finished with ${TOKEN}`);
    tape.save();
    expect(fixtureEntries(file)[0]?.result).toBe('finished with <<secret:GITHUB_TOKEN>>');
  });

  it('refuses to write when a secret survived, naming the function and the path, and leaves the file as it was', () => {
    const file = fixturePath();
    // Recorded before redaction was set up.
    vi.stubEnv('GITHUB_TOKEN', TOKEN);
    const early = fixtures(file);
    early.memoize({ name: 'github.whoami' })(() => ({ token: TOKEN }))();
    early.save();
    const before = readFileSync(file, 'utf8');

    const tape = fixtures(file, { redact: { secrets: ['GITHUB_TOKEN'] } });
    tape.memoize({ name: 'area' })(area)(1, 2);
    let error: unknown;
    try {
      tape.save();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      name: 'SecretLeakError',
      code: 'ERR_MEMOTAPE_SECRET_LEAK',
      file,
      leaks: [{ secretName: 'GITHUB_TOKEN', encoding: 'raw', namespace: 'github.whoami', path: 'result.token' }],
    });
    expect((error as Error).message).toContain('the value of GITHUB_TOKEN in github.whoami at result.token');
    expect((error as Error).message).not.toContain(TOKEN);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('scans what a hook put back, base64-encoded included', () => {
    const file = fixturePath();
    vi.stubEnv('API_KEY', 'key-0123456789');
    const tape = fixtures(file, {
      redact: { secrets: ['API_KEY'], result: () => ({ auth: Buffer.from('user:key-0123456789').toString('base64') }) },
    });
    tape.memoize({ name: 'api.login' })(() => 'ok')();
    expect(() => tape.save()).toThrow(
      expect.objectContaining({ leaks: [expect.objectContaining({ encoding: 'base64' })] }),
    );
    expect(existsSync(file)).toBe(false);
  });
});

describe('scanFixtureFile', () => {
  it('scans a committed fixture for the named variables, e.g. in a pre-commit hook', () => {
    const file = fixturePath();
    vi.stubEnv('GITHUB_TOKEN', 'ghp_committedToken0123');
    const tape = fixtures(file);
    tape.memoize({ name: 'github.whoami' })(() => ({ header: `token ${process.env.GITHUB_TOKEN}` }))();
    tape.save();
    expect(scanFixtureFile(pathToFileURL(file), ['GITHUB_TOKEN'])).toMatchObject([
      { secretName: 'GITHUB_TOKEN', namespace: 'github.whoami', path: 'result.header' },
    ]);
    expect(scanFixtureFile(file, ['OTHER'])).toEqual([]);
    expect(scanFixtureFile(fixturePath('missing.json'), ['GITHUB_TOKEN'])).toEqual([]);
  });
});
