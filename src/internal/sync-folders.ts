import { closeSync, fsyncSync, openSync } from 'node:fs';
import path from 'node:path';

/** fsyncs the parent of every folder `mkdir` just created, so the new folders themselves survive a power loss. */
export function syncCreatedFolders(deepest: string, firstCreated: string): void {
  for (let folder = deepest; ; folder = path.dirname(folder)) {
    let descriptor: number | undefined;
    try {
      descriptor = openSync(path.dirname(folder), 'r');
      fsyncSync(descriptor);
    } catch {
      // Some file systems refuse to fsync a folder; the entry itself is still fsynced.
    } finally {
      if (descriptor !== undefined) closeSync(descriptor);
    }
    if (folder === firstCreated || path.dirname(folder) === folder) return;
  }
}
