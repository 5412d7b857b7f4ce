import type { LocalDatabase } from './database.js';

/**
 * Notices writes made by other processes (`beacon enqueue`, `beacon cancel` in another terminal):
 * SQLite's `PRAGMA data_version` changes exactly when another connection commits. Polling it every
 * ~100 ms costs one tiny read and keeps the pickup latency well under the 250 ms target.
 */
export interface DataWatcher {
  stop(): void;
}

export function watchForeignWrites(db: LocalDatabase, intervalMs: number, onChange: () => void): DataWatcher {
  let last = readVersion(db);
  const timer = setInterval(() => {
    let version: number;
    try {
      version = readVersion(db);
    } catch {
      return; // the database is closing or busy; the next tick tries again
    }
    if (version !== last) {
      last = version;
      onChange();
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function readVersion(db: LocalDatabase): number {
  return db.pragma('data_version', { simple: true }) as number;
}
