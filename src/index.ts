export type { ConfigureOptions, MemotapeSettings } from './config.js';
export { configure, getSettings } from './config.js';
export { getDefaultMemoizer, memoize } from './default-memoizer.js';
export type { DeferredRecordingOptions, DeferredRecordingState } from './deferred-recording.js';
export { DeferredRecording, InterimResult } from './deferred-recording.js';
export type { MemotapeErrorCode } from './errors.js';
export {
  CacheMissError,
  ConfigError,
  DeferredStateError,
  KeyEncodingError,
  MemotapeError,
  NamespaceError,
  ResultEncodingError,
} from './errors.js';
export type { MemoizerStats } from './memoizer.js';
export { Memoizer } from './memoizer.js';
export type {
  AnyFunction,
  MemoizerOptions,
  ResultDecoderFactory,
  ResultEncoderFactory,
  WrapOptions,
} from './options.js';
export type { MaybePromise, PersistedTier, Store, StoredEntry, TierName } from './stores/store.js';
export type { Wrap } from './wrap-or-decorate.js';
