import { watch, watchFile, unwatchFile, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` after a file Beacon reads at run time (beacon.yaml, the dashboard token) was written,
 * replaced or removed. The folder is watched rather than the file, because editors and atomic writes
 * replace the file (a watch on the old inode would go silent); a slow stat poll backs it up where folder
 * events do not arrive (network file systems). Bursts (truncate, then write) are folded into one call after
 * `settleMs` of quiet, so the reader sees the finished file. The caller compares contents: a call only
 * means "look again".
 */
export interface FileWatch {
  /** A change this process knows of (its own write): folded with the file events into one call. */
  notice(): void;
  stop(): void;
}

export interface WatchFileOptions {
  /** Quiet time before `onChange` (default 150 ms). */
  settleMs?: number;
  /** Stat poll period of the backstop (default: backstopPollMs). */
  pollMs?: number;
}

/**
 * The backstop's period: slow where folder events arrive (it only covers what they miss, and every poll wakes
 * an idle menu-bar app), quick where they cannot be had.
 */
export function backstopPollMs(folderWatched: boolean, override?: number): number {
  return override ?? (folderWatched ? 10_000 : 2000);
}

/** `files`: one path, or several in the same folder (one folder watch serves them all). */
export function watchFileChanges(files: string | readonly string[], onChange: () => void, options: WatchFileOptions = {}): FileWatch {
  const paths = typeof files === 'string' ? [files] : files;
  const settleMs = options.settleMs ?? 150;
  const names = new Set(paths.map((path) => basename(path)));
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const changed = (): void => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!stopped) onChange();
    }, settleMs);
    timer.unref();
  };

  let folder: FSWatcher | null = null;
  try {
    folder = watch(dirname(paths[0]!), { persistent: false }, (_event, file) => {
      // Some platforms omit the name: then any change in the folder is a reason to look.
      if (!file || names.has(file.toString())) changed();
    });
    folder.on('error', () => {
      folder?.close();
      folder = null; // the poll below still works
    });
  } catch {
    folder = null;
  }
  // The mode too: a file made readable by others must be noticed (the session files are refused then).
  const onStat = (now: Stats, before: Stats): void => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino || now.mode !== before.mode) changed();
  };
  const interval = backstopPollMs(folder !== null, options.pollMs);
  for (const path of paths) watchFile(path, { persistent: false, interval }, onStat);

  return {
    notice: changed,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      folder?.close();
      for (const path of paths) unwatchFile(path, onStat);
    },
  };
}
