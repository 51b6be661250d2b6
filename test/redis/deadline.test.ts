import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, withDeadline } from '../../src/redis/deadline.js';

describe('withDeadline', () => {
  it('settles like the promise when it answers in time', async () => {
    await expect(withDeadline(Promise.resolve(1), 1000, 'get')).resolves.toBe(1);
    await expect(withDeadline(Promise.reject(new Error('no')), 1000, 'get')).rejects.toThrow('no');
  });

  it('rejects with DeadlineExceededError when the promise never answers', async () => {
    const error = await withDeadline(new Promise(() => {}), 20, 'get').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ operation: 'get', milliseconds: 20 });
  });

  it('consumes a late rejection, so it never becomes unhandled', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    let rejectLate!: (error: Error) => void;
    const late = new Promise<never>((_, reject) => {
      rejectLate = reject;
    });
    await expect(withDeadline(late, 10, 'set')).rejects.toBeInstanceOf(DeadlineExceededError);
    rejectLate(new Error('too late'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', listener);
    expect(unhandled).toEqual([]);
  });
});
