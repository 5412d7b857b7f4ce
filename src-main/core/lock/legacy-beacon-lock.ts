import { readFileSync, rmSync, statSync } from 'node:fs';
import type { LockHolderView } from '../contract/types.js';
import type { MentuPaths } from '../paths.js';
import { holderView } from './holders.js';
import { isPidAlive } from './pid.js';

/**
 * The earlier Beacon's singleton lock, ~/.mentu/beacon.lock holding a plain pid (docs/mentu-schema.md#executor-lock): while that
 * process lives it holds the machine; a stale file is removed (only when acquiring, inside the mutex).
 * Synchronous: it runs inside the lock's critical section.
 */
export function legacyBeaconHolder(paths: MentuPaths, removeStale: boolean): LockHolderView | null {
  let content: string;
  let startedAt: string | null;
  try {
    content = readFileSync(paths.legacyBeaconLock, 'utf8');
    startedAt = statSync(paths.legacyBeaconLock).mtime.toISOString();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pid = /^\s*\d+\s*$/.test(content) ? Number(content.trim()) : NaN;
  // Our own pid cannot be the earlier Beacon: the file outlived a process whose pid was reused.
  if (pid !== process.pid && isPidAlive(pid)) {
    return holderView({ kind: 'other', type: 'beacon', pid, startedAt }, true, false);
  }
  if (removeStale) rmSync(paths.legacyBeaconLock, { force: true });
  return null;
}
