export type { ConfigureOptions, MemotapeSettings } from './config.js';
export { configure, getSettings } from './config.js';
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
