import { getSettings, type MemotapeSettings, onSettingsChange } from '../config.js';
import { liveMemoizers } from '../registry.js';
import { armExitDump } from './exit-dump.js';
import { addParticipant, type DumpHooks, releaseParticipants, retainParticipant } from './participants.js';
import { preloadCollection } from './preload.js';

let followingSettings = false;

/** `configure({ dump })` after memoizers exist: turning it on makes them all part of the exit dump. */
function followDumpSetting(settings: MemotapeSettings): void {
  if (!settings.dump) {
    releaseParticipants();
    return;
  }
  let any = false;
  for (const memoizer of liveMemoizers()) {
    retainParticipant(memoizer);
    any = true;
  }
  if (any) armExitDump();
}

/**
 * @internal Called by every Memoizer constructor: preloads its collection from `preloadFrom` (if set), and makes
 * it part of the exit dump when dumping is on.
 */
export function attachDumpLayer(
  memoizer: object,
  collection: string,
  hooks: DumpHooks,
  preloadFrom: string | undefined,
): void {
  const preloadStore = preloadFrom === undefined ? undefined : preloadCollection(collection, hooks, preloadFrom);
  addParticipant(memoizer, { collection, hooks, preloaded: () => preloadStore?.entries });
  if (!followingSettings) {
    followingSettings = true;
    onSettingsChange(followDumpSetting);
  }
  if (getSettings().dump) {
    retainParticipant(memoizer);
    armExitDump();
  }
}
