import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import type { LocalDatabase } from './database.js';

/**
 * Notices writes made by other processes (`beacon enqueue`, `beacon cancel` in another terminal):
 * SQLite's `PRAGMA data_version` changes exactly when another connection commits. The file system tells
 * us at once when the database or its WAL changes (a pickup in a few milliseconds); a poll stays as the
 * guarantee, because a watch can miss events on some file systems or stop when a file is replaced. With a
 * working watch that poll is only a backstop (every BACKSTOP_MS, so an idle executor wakes for it twice
 * in ten seconds, issue 15 point 10); without one it polls every `intervalMs`. One tiny read decides.
 */
const BACKSTOP_MS = 5000;

export interface DataWatcher {
  stop(): void;
}

export function watchForeignWrites(db: LocalDatabase, intervalMs: number, onChange: () => void): DataWatcher {
  let last = readVersion(db);
  let stopped = false;
  let checkQueued = false;

  /** True when another connection committed since the last look. */
  const check = (): boolean => {
    if (stopped) return false;
    let version: number;
    try {
      version = readVersion(db);
    } catch {
      return false; // the database is closing or busy; the next tick tries again
    }
    if (version === last) return false;
    last = version;
    onChange();
    return true;
  };
  // The file event can come before the commit is visible (the WAL is written, the wal-index in -shm, which
  // no watch sees, a moment later): a look that finds nothing new looks again shortly, a few times, so a
  // commit is not left to the backstop poll. Only after file events: an idle executor does not wake for it.
  let followUp: NodeJS.Timeout | null = null;
  const lookAgain = (delays: number[]): void => {
    if (followUp) clearTimeout(followUp);
    followUp = null;
    const [next, ...rest] = delays;
    if (next === undefined || stopped) return;
    followUp = setTimeout(() => {
      followUp = null;
      if (!check()) lookAgain(rest);
    }, next);
    followUp.unref();
  };
  // A burst of file events (our own writes too) costs one check per turn of the event loop.
  const checkSoon = (): void => {
    if (checkQueued) return;
    checkQueued = true;
    setImmediate(() => {
      checkQueued = false;
      if (!check()) lookAgain([2, 10, 50, 200]);
    });
  };

  let timer: NodeJS.Timeout | null = null;
  const poll = (every: number): void => {
    if (timer) clearInterval(timer);
    timer = setInterval(() => void check(), every);
    timer.unref();
  };
  const fileWatch = watchDatabaseFiles(db.name, checkSoon, () => poll(intervalMs));
  poll(fileWatch ? Math.max(intervalMs, BACKSTOP_MS) : intervalMs);
  return {
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
      if (followUp) clearTimeout(followUp);
      fileWatch?.close();
    },
  };
}

/** The folder holding the database, for events on the file and its -wal; null where it cannot be watched. */
function watchDatabaseFiles(file: string, onEvent: () => void, onLost: () => void): FSWatcher | null {
  if (!isAbsolute(file)) return null; // an in-memory database has no file
  const names = new Set([basename(file), `${basename(file)}-wal`]);
  try {
    const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || names.has(String(name))) onEvent();
    });
    watcher.on('error', () => {
      watcher.close();
      onLost(); // the poll carries on alone, at its fast pace
    });
    return watcher;
  } catch {
    return null;
  }
}

function readVersion(db: LocalDatabase): number {
  return db.pragma('data_version', { simple: true }) as number;
}
