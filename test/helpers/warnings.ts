import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';
import { resetWarningsForTests } from '../../src/internal/warn.js';

/**
 * Silences process warnings in every test of the file, and after each test restores the mocks and memotape's
 * warn-once memory. `codes()` lists the memotape warnings of the current test as `CODE: message`.
 */
export function captureWarnings(): { readonly spy: () => MockInstance<typeof process.emitWarning>; codes(): string[] } {
  let spy: MockInstance<typeof process.emitWarning> | undefined;
  beforeEach(() => {
    spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    resetWarningsForTests();
  });
  const current = (): MockInstance<typeof process.emitWarning> => {
    if (spy === undefined) throw new Error('captureWarnings(): read the warnings inside a test');
    return spy;
  };
  return {
    spy: current,
    codes: () =>
      current().mock.calls.map(([message, options]) => `${(options as { code: string }).code}: ${String(message)}`),
  };
}
