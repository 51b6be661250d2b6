import { describe, expect, it } from 'vitest';
import { ConfigError, FixtureModeError } from '../../src/errors.js';
import { describeMode, isCi, resolveFixtureMode } from '../../src/testing/fixture-mode.js';

describe('resolveFixtureMode', () => {
  it('shows a bad mode option as it is, a BigInt or NaN included', () => {
    expect(() => resolveFixtureMode(10n as never, {})).toThrow(/`mode` to be one of .*, got 10n/);
    expect(() => resolveFixtureMode(Number.NaN as never, {})).toThrow(/`mode` to be one of .*, got NaN/);
  });

  it('defaults to auto when neither the option nor MEMOTAPE_MODE is set', () => {
    expect(resolveFixtureMode(undefined, {})).toEqual({ mode: 'auto', source: 'default' });
    expect(resolveFixtureMode(undefined, { MEMOTAPE_MODE: '  ' })).toEqual({ mode: 'auto', source: 'default' });
  });

  it('reads MEMOTAPE_MODE, ignoring case and surrounding spaces', () => {
    expect(resolveFixtureMode(undefined, { MEMOTAPE_MODE: 'new' })).toEqual({ mode: 'new', source: 'MEMOTAPE_MODE' });
    expect(resolveFixtureMode(undefined, { MEMOTAPE_MODE: ' Replay ' })).toEqual({
      mode: 'replay',
      source: 'MEMOTAPE_MODE',
    });
  });

  it('lets the mode option win over MEMOTAPE_MODE', () => {
    expect(resolveFixtureMode('off', { MEMOTAPE_MODE: 'all' })).toEqual({ mode: 'off', source: 'option' });
  });

  it('turns auto into replay when CI is set, and says so', () => {
    expect(resolveFixtureMode(undefined, { CI: 'true' })).toEqual({ mode: 'replay', source: 'CI' });
    expect(resolveFixtureMode('auto', { CI: '1' })).toEqual({ mode: 'replay', source: 'CI' });
    expect(describeMode({ mode: 'replay', source: 'CI' })).toContain('CI environment variable is set');
  });

  it('keeps explicit replay and off in CI', () => {
    expect(resolveFixtureMode(undefined, { CI: 'true', MEMOTAPE_MODE: 'off' })).toEqual({
      mode: 'off',
      source: 'MEMOTAPE_MODE',
    });
    expect(resolveFixtureMode('replay', { CI: 'true' })).toEqual({ mode: 'replay', source: 'option' });
  });

  it.each(['new', 'all'] as const)('refuses %s in CI at once, naming the way out', (mode) => {
    const fromVariable = () => resolveFixtureMode(undefined, { CI: 'true', MEMOTAPE_MODE: mode });
    expect(fromVariable).toThrow(FixtureModeError);
    expect(fromVariable).toThrow(`MEMOTAPE_MODE=${mode} records fixtures, but CI is set`);
    expect(fromVariable).toThrow('MEMOTAPE_ALLOW_RECORD_IN_CI=1');
    try {
      resolveFixtureMode(mode, { CI: 'true' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_MEMOTAPE_FIXTURE_MODE', mode, source: 'option' });
    }
  });

  it('allows recording in CI for a deliberate refresh job', () => {
    expect(resolveFixtureMode('all', { CI: 'true', MEMOTAPE_ALLOW_RECORD_IN_CI: '1' })).toEqual({
      mode: 'all',
      source: 'option',
    });
    expect(() => resolveFixtureMode('new', { CI: 'true', MEMOTAPE_ALLOW_RECORD_IN_CI: '0' })).toThrow(FixtureModeError);
  });

  it('rejects an unknown MEMOTAPE_MODE with a ConfigError naming the variable and the allowed values', () => {
    try {
      resolveFixtureMode(undefined, { MEMOTAPE_MODE: 'record' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'ERR_MEMOTAPE_CONFIG', variable: 'MEMOTAPE_MODE' });
      expect((error as Error).message).toBe('MEMOTAPE_MODE must be one of auto, replay, new, all, off (got "record")');
    }
  });

  it('rejects an unknown mode option with a TypeError naming `mode`', () => {
    expect(() => resolveFixtureMode('once', {})).toThrow(
      new TypeError('Expected `mode` to be one of auto, replay, new, all, off, got "once"'),
    );
  });

  it('rejects an invalid MEMOTAPE_ALLOW_RECORD_IN_CI', () => {
    expect(() => resolveFixtureMode('new', { CI: 'true', MEMOTAPE_ALLOW_RECORD_IN_CI: 'please' })).toThrow(
      expect.objectContaining({ variable: 'MEMOTAPE_ALLOW_RECORD_IN_CI' }),
    );
  });
});

describe('isCi', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['woodpecker', true],
    ['', false],
    ['0', false],
    ['false', false],
    [undefined, false],
  ])('CI=%j is %s', (value, expected) => {
    expect(isCi(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});
