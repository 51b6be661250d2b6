import { describe, expect, it } from 'vitest';
import { encodeTagged, type Json } from '../../src/codec.js';
import type { DumpEntry } from '../../src/dump/dump-format.js';
import { diffParams, type MissContext, missMessage, nearestCalls } from '../../src/testing/miss-report.js';

function entry(params: unknown, namespace = 'github.listIssues'): DumpEntry {
  return { namespace, params: encodeTagged(params, 'params') as Json, result: null, promise: true };
}

function context(overrides: Partial<MissContext> = {}): MissContext {
  return {
    functionName: 'github.listIssues',
    key: '0123456789abcdef0123456789abcdef',
    mode: 'replay (from MEMOTAPE_MODE)',
    ci: false,
    modeFromOption: false,
    file: '/repo/test/__fixtures__/github.json',
    fileExists: true,
    recorded: [],
    otherFunctions: [],
    params: { args: ['octocat', { since: '2026-06-01' }] },
    ...overrides,
  };
}

describe('diffParams', () => {
  it('lists each path where the params differ, with both values', () => {
    expect(
      diffParams(
        { args: ['a', { since: '2026-05-01', page: 2 }] },
        { args: ['a', { since: '2026-06-01', state: 'open' }] },
      ),
    ).toEqual([
      { path: 'args[1].since', recorded: '2026-05-01', called: '2026-06-01' },
      { path: 'args[1].page', recorded: 2, called: undefined },
      { path: 'args[1].state', recorded: undefined, called: 'open' },
    ]);
  });

  it('treats tagged values as a whole, and quotes property names that are not identifiers', () => {
    const recorded = encodeTagged({ args: [{ 'x-y': new Date(0) }] }) as Json;
    const called = encodeTagged({ args: [{ 'x-y': new Date(1) }] }) as Json;
    expect(diffParams(recorded, called).map((difference) => difference.path)).toEqual(['args[0]["x-y"]']);
  });

  it('names the whole params when they are not objects', () => {
    expect(diffParams('a', 'b')).toEqual([{ path: '(params)', recorded: 'a', called: 'b' }]);
  });
});

describe('nearestCalls', () => {
  it('answers at most three recorded calls, fewest differences first', () => {
    const recorded = [
      entry({ args: ['other', { since: '2025-01-01' }] }),
      entry({ args: ['octocat', { since: '2026-05-01' }] }),
      entry({ args: ['nobody', { since: '2024-01-01', page: 3 }] }),
      entry({ args: ['octocat', { since: '2026-04-01' }] }),
    ];
    const near = nearestCalls({ args: ['octocat', { since: '2026-06-01' }] }, recorded);
    expect(near).toHaveLength(3);
    expect(near.map((call) => call.differences.length)).toEqual([1, 1, 2]);
    expect(near[0]?.differences).toEqual([{ path: 'args[1].since', recorded: '2026-05-01', called: '2026-06-01' }]);
  });
});

describe('missMessage', () => {
  it('names the function, the key, the mode and its source, the file and its entries, the call and the command', () => {
    const message = missMessage(
      context({
        recorded: [
          entry({ args: ['octocat', { since: '2026-05-01' }] }),
          entry({ args: ['hubot', { since: '2026-06-01' }] }),
        ],
      }),
    );
    expect(message).toContain('No recorded result for github.listIssues (key 0123456789abcdef0123456789abcdef)');
    expect(message).toContain('\nMode: replay (from MEMOTAPE_MODE)\n');
    expect(message).toContain('Fixture: /repo/test/__fixtures__/github.json (2 entries for github.listIssues)');
    expect(message).toContain('Call: github.listIssues {"args":["octocat",{"since":"2026-06-01"}]}');
    expect(message).toContain('1. args[1].since: "2026-05-01" → "2026-06-01"');
    expect(message).toContain('2. args[0]: "hubot" → "octocat"');
    expect(message).toContain('To record it, run MEMOTAPE_MODE=new <test command>');
  });

  it('says when the fixture does not exist yet', () => {
    expect(missMessage(context({ fileExists: false }))).toContain('(it does not exist yet)');
  });

  it('hints at a rename when the file only has entries of other functions', () => {
    const message = missMessage(context({ otherFunctions: ['github.listIssuesV1'] }));
    expect(message).toContain('0 entries for github.listIssues; it has entries for github.listIssuesV1');
    expect(message).toContain('was the function renamed?');
  });

  it('tells CI users to record locally', () => {
    expect(missMessage(context({ ci: true }))).toContain('MEMOTAPE_MODE=new <test command> locally, without CI');
  });

  it('names the mode option, not MEMOTAPE_MODE, when the option set the mode (it wins over the variable)', () => {
    const message = missMessage(context({ mode: 'replay (from the `mode` option)', modeFromOption: true }));
    expect(message).toContain("set the tape's `mode` option to 'new' (it overrides MEMOTAPE_MODE)");
    expect(message).not.toContain('MEMOTAPE_MODE=new');
  });

  it('truncates long params and shows tagged values decoded', () => {
    const long = { args: ['x'.repeat(1000)] };
    const message = missMessage(context({ params: long }));
    expect(message).toMatch(/Call: github\.listIssues \{"args":\["x+…\n/);
    const dated = missMessage(
      context({
        params: encodeTagged({ args: [new Date(Date.UTC(2026, 5, 1))] }) as Json,
        recorded: [entry({ args: [new Date(Date.UTC(2026, 4, 1))] })],
      }),
    );
    expect(dated).toContain('args[0]: 2026-05-01T00:00:00.000Z → 2026-06-01T00:00:00.000Z');
  });
});
