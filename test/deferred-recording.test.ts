import { describe, expect, it, vi } from 'vitest';
import { DeferredRecording, InterimResult } from '../src/deferred-recording.js';
import { DeferredStateError, MemotapeError } from '../src/errors.js';
import { catchError } from './helpers/catch-error.js';

function expectDeferredStateError(run: () => unknown, message: RegExp): void {
  const error = catchError(run);
  expect(error).toBeInstanceOf(DeferredStateError);
  expect(error).toBeInstanceOf(MemotapeError);
  expect((error as DeferredStateError).name).toBe('DeferredStateError');
  expect((error as DeferredStateError).code).toBe('ERR_MEMOTAPE_DEFERRED_STATE');
  expect((error as DeferredStateError).message).toMatch(message);
}

describe('new DeferredRecording', () => {
  it('refuses unknown options, naming them', () => {
    expect(() => new DeferredRecording({ makeInterim: () => 1 } as never)).toThrow(
      /Unknown option `makeInterim` passed to DeferredRecording/,
    );
  });

  it('works without an argument: pending, no interim result', () => {
    const recording = new DeferredRecording();
    expect(recording.state).toBe('pending');
    expect(recording.makeInterimResult).toBeUndefined();
    expect(recording.getInterimResult()).toBeUndefined();
  });

  it('accepts undefined, an empty object and an explicit undefined makeInterimResult', () => {
    expect(new DeferredRecording(undefined).state).toBe('pending');
    expect(new DeferredRecording({}).getInterimResult()).toBeUndefined();
    expect(new DeferredRecording({ makeInterimResult: undefined }).getInterimResult()).toBeUndefined();
  });

  it('exposes the makeInterimResult it was given', () => {
    const makeInterimResult = () => 1;
    expect(new DeferredRecording({ makeInterimResult }).makeInterimResult).toBe(makeInterimResult);
  });

  it('rejects a non-function makeInterimResult with a TypeError', () => {
    for (const makeInterimResult of [null, 0, 1, 'fn', {}, [], true, Symbol('f'), 1n]) {
      expect(() => new DeferredRecording({ makeInterimResult } as never)).toThrow(TypeError);
      expect(() => new DeferredRecording({ makeInterimResult } as never)).toThrow(/makeInterimResult/);
    }
  });

  it('rejects options that are not an object with a TypeError', () => {
    for (const options of [null, 1, 'options', true]) {
      expect(() => new DeferredRecording(options as never)).toThrow(TypeError);
    }
  });
});

describe('DeferredRecording.finalize and registerCallback', () => {
  it('runs a callback registered after finalize at once, synchronously, with the value', () => {
    const recording = new DeferredRecording<unknown, string>();
    recording.finalize('encoded');
    const callback = vi.fn();
    recording.registerCallback(callback);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(callback).toHaveBeenCalledWith('encoded');
  });

  it('runs a callback registered before finalize only at finalize, with the value', () => {
    const recording = new DeferredRecording<unknown, number>();
    const callback = vi.fn();
    recording.registerCallback(callback);
    expect(callback).not.toHaveBeenCalled();
    recording.finalize(42);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(callback).toHaveBeenCalledWith(42);
  });

  it('runs several callbacks in registration order, each exactly once', () => {
    const recording = new DeferredRecording<unknown, string>();
    const log: string[] = [];
    for (const name of ['first', 'second', 'third'])
      recording.registerCallback((value) => log.push(`${name}:${value}`));
    recording.finalize('v');
    expect(log).toEqual(['first:v', 'second:v', 'third:v']);
    recording.registerCallback((value) => log.push(`late:${value}`));
    expect(log).toEqual(['first:v', 'second:v', 'third:v', 'late:v']);
  });

  it('runs the same function twice when it is registered twice', () => {
    const recording = new DeferredRecording<unknown, number>();
    const callback = vi.fn();
    recording.registerCallback(callback);
    recording.registerCallback(callback);
    recording.finalize(1);
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it('delivers falsy encoded results (undefined, null, 0, empty string) to early and late callbacks', () => {
    for (const value of [undefined, null, 0, '', false, Number.NaN]) {
      const recording = new DeferredRecording<unknown, unknown>();
      const early = vi.fn();
      const late = vi.fn();
      recording.registerCallback(early);
      recording.finalize(value);
      recording.registerCallback(late);
      expect(early).toHaveBeenCalledWith(value);
      expect(late).toHaveBeenCalledWith(value);
    }
  });

  it('passes the very same encoded object to every callback', () => {
    const recording = new DeferredRecording<unknown, object>();
    const encoded = { big: 'payload' };
    const seen: object[] = [];
    recording.registerCallback((value) => seen.push(value));
    recording.finalize(encoded);
    recording.registerCallback((value) => seen.push(value));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(encoded);
    expect(seen[1]).toBe(encoded);
  });

  it('moves state from pending to finalized', () => {
    const recording = new DeferredRecording();
    expect(recording.state).toBe('pending');
    recording.finalize(1);
    expect(recording.state).toBe('finalized');
  });

  it('reports finalized state to the callbacks it runs', () => {
    const recording = new DeferredRecording<unknown, number>();
    let seenState: string | undefined;
    recording.registerCallback(() => {
      seenState = recording.state;
    });
    recording.finalize(1);
    expect(seenState).toBe('finalized');
  });

  it('throws DeferredStateError on a second finalize, keeping the first value and not rerunning callbacks', () => {
    const recording = new DeferredRecording<unknown, number>();
    const callback = vi.fn();
    recording.registerCallback(callback);
    recording.finalize(1);
    expectDeferredStateError(() => recording.finalize(2), /finalize\(\) called multiple times/);
    expectDeferredStateError(() => recording.finalize(1), /multiple times/);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(recording.state).toBe('finalized');
    const late = vi.fn();
    recording.registerCallback(late);
    expect(late).toHaveBeenCalledWith(1);
  });

  it('throws DeferredStateError when a callback finalizes again from inside finalize', () => {
    const recording = new DeferredRecording<unknown, number>();
    let inner: unknown;
    recording.registerCallback(() => {
      inner = catchError(() => recording.finalize(2));
    });
    recording.finalize(1);
    expect(inner).toBeInstanceOf(DeferredStateError);
  });

  it('runs a callback registered by another callback during finalize at once, before the remaining ones', () => {
    const recording = new DeferredRecording<unknown, string>();
    const log: string[] = [];
    recording.registerCallback((value) => {
      log.push(`a:${value}`);
      recording.registerCallback((inner) => log.push(`c:${inner}`));
    });
    recording.registerCallback((value) => log.push(`b:${value}`));
    recording.finalize('v');
    expect(log).toEqual(['a:v', 'c:v', 'b:v']);
  });

  it('never runs onAbandon once finalized', () => {
    const recording = new DeferredRecording<unknown, number>();
    const onAbandon = vi.fn();
    recording.registerCallback(() => {}, onAbandon);
    recording.finalize(1);
    recording.registerCallback(() => {}, onAbandon);
    expect(recording.abandon('late')).toBe(false);
    expect(onAbandon).not.toHaveBeenCalled();
  });

  it('rejects a non-function callback with a TypeError', () => {
    const recording = new DeferredRecording();
    for (const callback of [undefined, null, 1, 'cb', {}]) {
      expect(() => recording.registerCallback(callback as never)).toThrow(TypeError);
    }
    recording.finalize(1);
    expect(() => recording.registerCallback(undefined as never)).toThrow(TypeError);
  });
});

describe('DeferredRecording.getInterimResult', () => {
  it('returns undefined without makeInterimResult, before and after finalize', () => {
    const recording = new DeferredRecording();
    expect(recording.getInterimResult()).toBeUndefined();
    recording.finalize(1);
    expect(recording.getInterimResult()).toBeUndefined();
  });

  it('wraps the value of makeInterimResult in an InterimResult', () => {
    const job = { id: 7 };
    const interim = new DeferredRecording({ makeInterimResult: () => job }).getInterimResult();
    expect(interim).toBeInstanceOf(InterimResult);
    expect(interim?.value).toBe(job);
  });

  it('returns an InterimResult wrapping null or undefined when makeInterimResult returns those', () => {
    for (const value of [null, undefined]) {
      const interim = new DeferredRecording({ makeInterimResult: () => value }).getInterimResult();
      expect(interim).toBeInstanceOf(InterimResult);
      expect(interim).toBeDefined();
      expect(interim!.value).toBe(value);
      expect(Object.hasOwn(interim!, 'value')).toBe(true);
    }
  });

  it('calls makeInterimResult every time', () => {
    let calls = 0;
    const recording = new DeferredRecording({ makeInterimResult: () => ++calls });
    expect(calls).toBe(0);
    expect(recording.getInterimResult()?.value).toBe(1);
    expect(recording.getInterimResult()?.value).toBe(2);
    expect(recording.getInterimResult()?.value).toBe(3);
    expect(calls).toBe(3);
    expect(recording.getInterimResult()).not.toBe(recording.getInterimResult());
  });

  it('still returns an InterimResult after finalize', () => {
    const recording = new DeferredRecording({ makeInterimResult: () => 'interim' });
    recording.finalize('encoded');
    const interim = recording.getInterimResult();
    expect(interim).toBeInstanceOf(InterimResult);
    expect(interim?.value).toBe('interim');
  });

  it('is not called by the constructor, finalize or abandon', () => {
    const makeInterimResult = vi.fn(() => 1);
    const finalized = new DeferredRecording({ makeInterimResult });
    finalized.registerCallback(() => {});
    finalized.finalize(1);
    new DeferredRecording({ makeInterimResult }).abandon();
    expect(makeInterimResult).not.toHaveBeenCalled();
  });

  it('lets an error thrown by makeInterimResult propagate', () => {
    const recording = new DeferredRecording({
      makeInterimResult: () => {
        throw new RangeError('no interim');
      },
    });
    expect(() => recording.getInterimResult()).toThrow(RangeError);
    expect(recording.state).toBe('pending');
  });
});

describe('DeferredRecording.abandon', () => {
  it('returns true the first time and false afterwards', () => {
    const recording = new DeferredRecording();
    expect(recording.abandon()).toBe(true);
    expect(recording.abandon()).toBe(false);
    expect(recording.abandon(new Error('again'))).toBe(false);
  });

  it('moves state from pending to abandoned, and keeps it there', () => {
    const recording = new DeferredRecording();
    recording.abandon();
    expect(recording.state).toBe('abandoned');
    catchError(() => recording.finalize(1));
    expect(recording.state).toBe('abandoned');
  });

  it('never runs completion callbacks, whether registered before or after abandon', () => {
    const recording = new DeferredRecording<unknown, number>();
    const before = vi.fn();
    const after = vi.fn();
    recording.registerCallback(before);
    recording.abandon('gone');
    recording.registerCallback(after);
    catchError(() => recording.finalize(1));
    expect(before).not.toHaveBeenCalled();
    expect(after).not.toHaveBeenCalled();
  });

  it('runs onAbandon callbacks with the reason, in registration order', () => {
    const recording = new DeferredRecording();
    const log: unknown[] = [];
    const reason = new Error('failed');
    recording.registerCallback(
      () => {},
      (why) => log.push(['first', why]),
    );
    recording.registerCallback(() => {});
    recording.registerCallback(
      () => {},
      (why) => log.push(['second', why]),
    );
    expect(log).toEqual([]);
    recording.abandon(reason);
    expect(log).toEqual([
      ['first', reason],
      ['second', reason],
    ]);
    expect((log[0] as unknown[])[1]).toBe(reason);
  });

  it('runs onAbandon at once, with the reason, when registered after abandon', () => {
    const recording = new DeferredRecording();
    recording.abandon('timeout');
    const onAbandon = vi.fn();
    recording.registerCallback(() => {}, onAbandon);
    expect(onAbandon).toHaveBeenCalledTimes(1);
    expect(onAbandon).toHaveBeenCalledWith('timeout');
  });

  it('passes undefined to onAbandon when abandoned without a reason', () => {
    const recording = new DeferredRecording();
    const early = vi.fn();
    recording.registerCallback(() => {}, early);
    recording.abandon();
    const late = vi.fn();
    recording.registerCallback(() => {}, late);
    expect(early).toHaveBeenCalledWith(undefined);
    expect(late).toHaveBeenCalledWith(undefined);
  });

  it('runs each onAbandon exactly once even if abandon is called again', () => {
    const recording = new DeferredRecording();
    const onAbandon = vi.fn();
    recording.registerCallback(() => {}, onAbandon);
    recording.abandon(1);
    recording.abandon(2);
    expect(onAbandon).toHaveBeenCalledTimes(1);
    expect(onAbandon).toHaveBeenCalledWith(1);
  });

  it('makes finalize throw DeferredStateError afterwards', () => {
    const recording = new DeferredRecording();
    recording.abandon();
    expectDeferredStateError(() => recording.finalize(1), /abandoned/);
  });

  it('returns false after finalize, leaving the recording finalized', () => {
    const recording = new DeferredRecording<unknown, number>();
    const callback = vi.fn();
    recording.registerCallback(callback);
    recording.finalize(5);
    expect(recording.abandon('too late')).toBe(false);
    expect(recording.state).toBe('finalized');
    expect(callback).toHaveBeenCalledTimes(1);
    const late = vi.fn();
    recording.registerCallback(late);
    expect(late).toHaveBeenCalledWith(5);
  });

  it('returns false when a callback abandons from inside finalize', () => {
    const recording = new DeferredRecording<unknown, number>();
    let result: boolean | undefined;
    const onAbandon = vi.fn();
    recording.registerCallback(() => {
      result = recording.abandon('inside');
    }, onAbandon);
    recording.finalize(1);
    expect(result).toBe(false);
    expect(onAbandon).not.toHaveBeenCalled();
    expect(recording.state).toBe('finalized');
  });

  it('still returns an InterimResult after abandon when makeInterimResult was given', () => {
    const recording = new DeferredRecording({ makeInterimResult: () => 'interim' });
    recording.abandon();
    expect(recording.getInterimResult()?.value).toBe('interim');
  });
});

describe('a throwing callback', () => {
  it('does not stop later callbacks, and finalize rethrows the first error afterwards', () => {
    const recording = new DeferredRecording<number, number>();
    const seen: number[] = [];
    recording.registerCallback(() => {
      throw new Error('first failed');
    });
    recording.registerCallback((value) => seen.push(value));
    expect(() => recording.finalize(3)).toThrow('first failed');
    expect(seen).toEqual([3]);
    expect(recording.state).toBe('finalized');
  });
});
