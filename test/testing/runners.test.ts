import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, requireBuild } from '../dump/helpers.js';
import { fileIdentity } from './helpers.js';
import {
  builtTestingEntry,
  createRunnerProject,
  type RunnerProject,
  type RunnerResult,
  runNodeTest,
  runVitest,
} from './runner-project.js';

/*
 * The fixture workflow inside real test runners, against the built package: record a fixture (no CI), replay it with
 * CI set and another token (no real call, the file untouched), fail the suite on a miss the code under test
 * swallowed, and record that call with the command the miss names. vitest runs in both its forks and threads pools
 * (where workers end without exit hooks, so save() in afterAll is what writes the file), and node:test too.
 */

beforeAll(() => {
  requireBuild();
  if (!readFileSync(builtTestingEntry, 'utf8').includes('fixtures')) throw new Error(`${builtTestingEntry} is stale`);
});
afterAll(removeTemporaryDirectories);

const RECORDING_TOKEN = 'ghp_recordingToken0123456789';

type Runner = (project: RunnerProject, env: Record<string, string | undefined>) => Promise<RunnerResult>;

const runners: [string, 'vitest' | 'node-test', Runner][] = [
  ['vitest (forks pool)', 'vitest', (project, env) => runVitest(project, 'forks', env)],
  ['vitest (threads pool)', 'vitest', (project, env) => runVitest(project, 'threads', env)],
  ['node:test', 'node-test', runNodeTest],
];

const recordedFixtures = new Map<string, string>();

describe.each(runners)('inside %s', (label, kind, runTests) => {
  it('records, replays in CI, fails on a swallowed miss, and records it with MEMOTAPE_MODE=new', async () => {
    const project = createRunnerProject(kind);
    const expectPassed = (result: RunnerResult) => {
      if (result.code !== 0) throw new Error(`the ${label} run failed:\n${result.output}`);
    };

    // 1. Record: no CI, a real token. save() in the after-all hook writes the fixture.
    expectPassed(await runTests(project, { GITHUB_TOKEN: RECORDING_TOKEN }));
    expect(project.reports().at(-1)).toMatchObject({ mode: 'auto', realCalls: 2, misses: 0 });
    const recorded = readFileSync(project.fixture, 'utf8');
    expect(recorded).not.toContain(RECORDING_TOKEN);
    expect(recorded).toContain('<<secret:GITHUB_TOKEN>>');
    recordedFixtures.set(label, recorded);

    // 2. Replay in CI with another token: no real call, and the file is not touched.
    const before = fileIdentity(project.fixture);
    expectPassed(await runTests(project, { CI: 'true', GITHUB_TOKEN: 'ghp_ciPlaceholder' }));
    expect(project.reports().at(-1)).toMatchObject({ mode: 'replay', realCalls: 0, misses: 0 });
    expect(fileIdentity(project.fixture)).toBe(before);

    // 3. A new call the code under test swallows: every test passes, but save() fails the suite.
    const failed = await runTests(project, { CI: 'true', GITHUB_TOKEN: 'ghp_ciPlaceholder', EXTRA_CALL: '1' });
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('UnrecordedCallsError');
    expect(failed.output).toContain('1 call was not recorded');
    expect(failed.output).toContain(
      'github.listIssues {"args":["memotape",{"since":"2026-06-01","token":"<<secret:GITHUB_TOKEN>>"}]}',
    );
    expect(project.reports().at(-1)).toMatchObject({ mode: 'replay', realCalls: 0, misses: 1 });
    expect(fileIdentity(project.fixture)).toBe(before);

    // 4. The command the miss names records it; CI then passes again.
    expectPassed(await runTests(project, { MEMOTAPE_MODE: 'new', GITHUB_TOKEN: RECORDING_TOKEN, EXTRA_CALL: '1' }));
    expect(project.reports().at(-1)).toMatchObject({ mode: 'new', realCalls: 1 });
    expectPassed(await runTests(project, { CI: 'true', GITHUB_TOKEN: 'ghp_ciPlaceholder', EXTRA_CALL: '1' }));
    expect(project.reports().at(-1)).toMatchObject({ mode: 'replay', realCalls: 0, misses: 0 });
  });
});

describe('fixtures recorded by different runners', () => {
  it('are byte-identical: one format, whatever the runner', () => {
    expect(recordedFixtures.size).toBe(runners.length);
    expect(new Set(recordedFixtures.values()).size).toBe(1);
  });
});
