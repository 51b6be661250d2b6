import { SimpleError } from 'redis';
import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../../src/redis/deadline.js';
import { classifyFailure, scrubSecrets, secretsOfUrl } from '../../src/redis/failure.js';

describe('classifyFailure', () => {
  it('sorts timeouts, connection failures and error replies apart', () => {
    expect(classifyFailure(new DeadlineExceededError('get', 250), [])).toMatchObject({
      kind: 'timeout',
      unavailable: true,
    });
    expect(classifyFailure(new Error('connect ECONNREFUSED 127.0.0.1:1'), [])).toMatchObject({
      kind: 'connection',
      unavailable: true,
    });
    expect(
      classifyFailure(new SimpleError("OOM command not allowed when used memory > 'maxmemory'."), []),
    ).toMatchObject({ kind: 'reply', code: 'OOM', unavailable: false });
    expect(classifyFailure(new SimpleError('NOPERM no permissions'), [])).toMatchObject({ code: 'NOPERM' });
  });

  it('counts replies that mean the server cannot serve (LOADING, BUSY) as unavailability', () => {
    expect(classifyFailure(new SimpleError('LOADING Redis is loading'), [])).toMatchObject({ unavailable: true });
    expect(classifyFailure(new SimpleError('BUSY script running'), [])).toMatchObject({ unavailable: true });
  });
});

describe('scrubSecrets', () => {
  it('hides the password of every URL and every known secret', () => {
    expect(scrubSecrets('cannot reach redis://user:p4ss@host:6379/0 now')).toBe(
      'cannot reach redis://user:***@host:6379/0 now',
    );
    expect(scrubSecrets('rediss://:only-pass@host')).toBe('rediss://:***@host');
    expect(scrubSecrets('AUTH failed for hunter22', ['hunter22'])).toBe('AUTH failed for ***');
  });

  it('finds the password of a URL, percent-encoded or not', () => {
    expect(secretsOfUrl('redis://u:a%40b@host')).toEqual(['a%40b', 'a@b']);
    expect(secretsOfUrl('redis://host')).toEqual([]);
  });
});
