export type { ConfigureOptions, MemotapeSettings } from './config.js';
export { configure, getSettings } from './config.js';
export { getDefaultMemoizer, memoize } from './default-memoizer.js';
export type { DeferredRecordingOptions, DeferredRecordingState } from './deferred-recording.js';
export { DeferredRecording, InterimResult } from './deferred-recording.js';
export type { FlushDumpResult } from './dump/flush.js';
export { flushDump } from './dump/flush.js';
export type { DumpErrorReason, MemotapeErrorCode } from './errors.js';
export {
  CacheMissError,
  ConfigError,
  DecoratorError,
  DeferredStateError,
  DumpError,
  KeyEncodingError,
  MemotapeError,
  NamespaceError,
  ResultEncodingError,
} from './errors.js';
export { withFreshCache } from './freshness/fresh-cache.js';
export type { FunctionStats } from './freshness/function-stats.js';
export type { FreshnessMethods, Memoized } from './freshness/memoized.js';
export { asMemoized } from './freshness/memoized.js';
export type { TagsFunction, Ttl } from './freshness/ttl-policy.js';
export type { MemoizerStats } from './memoizer.js';
export { Memoizer } from './memoizer.js';
export type { RemoteTierStats } from './memoizer-stats.js';
export type {
  AnyFunction,
  DecoratorOptions,
  MemoizerOptions,
  ResultDecoderFactory,
  ResultEncoderFactory,
  WrapOptions,
} from './options.js';
export type { DiskTierStats, PersistentMemoizerOptions, PersistentMemoizerStats } from './persistent-memoizer.js';
export { PersistentMemoizer } from './persistent-memoizer.js';
export type { DiskPruneResult, DiskStoreOptions, DiskStoreStats } from './stores/disk-store.js';
export { DiskStore } from './stores/disk-store.js';
export type { MemoryStoreOptions, MemoryStoreStats } from './stores/memory-store.js';
export { MemoryStore } from './stores/memory-store.js';
export type {
  InvalidationOptions,
  MaybePromise,
  PersistedTier,
  RemoteInvalidation,
  RemoteRequest,
  RemoteSource,
  RemoteStore,
  Store,
  StoredEntry,
  TierName,
} from './stores/store.js';
export type { AcceptHit, StoreTier, TieredStoreOptions, TierHit, TierValue } from './stores/tiered-store.js';
export { TieredStore } from './stores/tiered-store.js';
export type { Wrap } from './wrap-or-decorate.js';
