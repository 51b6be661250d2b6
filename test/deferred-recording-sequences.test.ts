import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeferredRecording } from '../src/deferred-recording.js';
import { DeferredStateError } from '../src/errors.js';

type Operation =
  | { readonly type: 'register'; readonly id: number; readonly withAbandon: boolean }
  | { readonly type: 'finalize'; readonly value: number }
  | { readonly type: 'abandon'; readonly reason: string };

const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ type: fc.constant('register' as const), id: fc.nat(20), withAbandon: fc.boolean() }),
  },
  fc.record({ type: fc.constant('finalize' as const), value: fc.integer() }),
  fc.record({ type: fc.constant('abandon' as const), reason: fc.string({ maxLength: 3 }) }),
);

describe('DeferredRecording: any sequence of operations', () => {
  it('matches a simple model: order, exactly-once delivery, return values, errors and state', () => {
    fc.assert(
      fc.property(fc.array(operationArb, { maxLength: 25 }), (operations) => {
        const recording = new DeferredRecording<unknown, number>();
        const log: unknown[] = [];
        const expected: unknown[] = [];
        let state: 'pending' | 'finalized' | 'abandoned' = 'pending';
        let value: number | undefined;
        let reason: string | undefined;
        let waiting: Array<{ id: number; withAbandon: boolean }> = [];
        for (const operation of operations) {
          switch (operation.type) {
            case 'register': {
              const { id, withAbandon } = operation;
              recording.registerCallback(
                (encoded) => log.push(['done', id, encoded]),
                withAbandon ? (why) => log.push(['abandoned', id, why]) : undefined,
              );
              if (state === 'finalized') expected.push(['done', id, value]);
              else if (state === 'abandoned') {
                if (withAbandon) expected.push(['abandoned', id, reason]);
              } else waiting.push({ id, withAbandon });
              break;
            }
            case 'finalize': {
              if (state === 'pending') {
                recording.finalize(operation.value);
                state = 'finalized';
                value = operation.value;
                for (const entry of waiting) expected.push(['done', entry.id, value]);
                waiting = [];
              } else {
                expect(() => recording.finalize(operation.value)).toThrow(DeferredStateError);
              }
              break;
            }
            case 'abandon': {
              const result = recording.abandon(operation.reason);
              expect(result).toBe(state === 'pending');
              if (state === 'pending') {
                state = 'abandoned';
                reason = operation.reason;
                for (const entry of waiting) if (entry.withAbandon) expected.push(['abandoned', entry.id, reason]);
                waiting = [];
              }
              break;
            }
          }
          expect(recording.state).toBe(state);
          expect(log).toEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('serves interim results to concurrent callers and the final value to all of them, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 5 }), async (scheduler, callers) => {
        let interimCalls = 0;
        const recording = new DeferredRecording<string, number>({
          makeInterimResult: () => `interim-${++interimCalls}`,
        });
        const delivered: Array<{ caller: number; value: number }> = [];
        const interims: string[] = [];
        const callerTasks = Array.from({ length: callers }, (_, caller) =>
          scheduler.schedule(Promise.resolve(caller), `caller ${caller}`).then(() => {
            if (recording.state === 'pending') interims.push(recording.getInterimResult()!.value);
            return new Promise<void>((resolve) => {
              recording.registerCallback((value) => {
                delivered.push({ caller, value });
                resolve();
              });
            });
          }),
        );
        const producer = scheduler.schedule(Promise.resolve(99), 'finalize').then((value) => recording.finalize(value));
        await scheduler.waitAll();
        await Promise.all([producer, ...callerTasks]);
        expect(recording.state).toBe('finalized');
        expect(delivered.map(({ value }) => value)).toEqual(new Array(callers).fill(99));
        expect(new Set(delivered.map(({ caller }) => caller)).size).toBe(callers);
        expect(interims).toEqual(Array.from({ length: interims.length }, (_, index) => `interim-${index + 1}`));
        expect(interimCalls).toBe(interims.length);
      }),
      { numRuns: 500 },
    );
  });
});
