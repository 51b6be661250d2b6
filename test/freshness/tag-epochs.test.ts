import { describe, expect, it } from 'vitest';
import { currentTick, markScopeChange, scopeChangedSince } from '../../src/freshness/freshness-clock.js';
import { TagEpochs } from '../../src/freshness/tag-epochs.js';

describe('TagEpochs', () => {
  it('marks a computation stale only for tags invalidated after it started', () => {
    const epochs = new TagEpochs();
    epochs.invalidate(['a']);
    const startedAt = currentTick();
    expect(epochs.isStale(['a'], startedAt)).toBe(false);
    expect(epochs.invalidatedSince(startedAt)).toBe(false);
    epochs.invalidate(['b']);
    expect(epochs.isStale(['a'], startedAt)).toBe(false);
    expect(epochs.isStale(['a', 'b'], startedAt)).toBe(true);
    expect(epochs.invalidatedSince(startedAt)).toBe(true);
  });

  it('forgets tags past its bound by treating every earlier computation as stale', () => {
    const epochs = new TagEpochs();
    const startedAt = currentTick();
    for (let index = 0; index <= 10_000; index++) epochs.invalidate([`tag-${index}`]);
    expect(epochs.isStale(['never-invalidated'], startedAt)).toBe(true);
    expect(epochs.isStale(['never-invalidated'], currentTick())).toBe(false);
  });
});

describe('the freshness clock', () => {
  it('tells whether the cache changed since a computation started', () => {
    const startedAt = currentTick();
    expect(scopeChangedSince(startedAt)).toBe(false);
    markScopeChange();
    expect(scopeChangedSince(startedAt)).toBe(true);
    expect(scopeChangedSince(currentTick())).toBe(false);
  });
});
