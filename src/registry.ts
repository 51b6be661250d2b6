import type { Memoizer } from './memoizer.js';

type MemoizerListener = (memoizer: Memoizer, preloadFrom: string | undefined) => void;

const listeners: MemoizerListener[] = [];
const live = new Set<WeakRef<Memoizer>>();

/**
 * @internal Layers that act on every memoizer (preloading, the exit dump, fresh caches) subscribe here instead of
 * the Memoizer importing them, so data keeps flowing one way and importing memotape stays free of side effects.
 */
export function onMemoizerCreated(listener: MemoizerListener): void {
  listeners.push(listener);
}

/** @internal Called by every Memoizer constructor. */
export function registerMemoizer(memoizer: Memoizer, preloadFrom: string | undefined): void {
  live.add(new WeakRef(memoizer));
  for (const listener of listeners) listener(memoizer, preloadFrom);
}

/** @internal Every memoizer still alive. */
export function* liveMemoizers(): IterableIterator<Memoizer> {
  for (const ref of live) {
    const memoizer = ref.deref();
    if (memoizer === undefined) live.delete(ref);
    else yield memoizer;
  }
}
