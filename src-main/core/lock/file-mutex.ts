import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * A short cross-process critical section guarded by proper-lockfile on a sidecar directory (`<mutexPath>`),
 * so the guarded file itself may not exist yet. Used around read-check-write of the executor lock record and
 * around the first write of beacon.yaml.
 */
export interface FileMutexOptions {
  /** A mutex left by a process killed inside its critical section is broken after this long (min 2000 ms). */
  staleMs?: number;
  /** Give up waiting for the mutex after this long. */
  timeoutMs?: number;
}

const DEFAULT_STALE_MS = 3000;
const DEFAULT_TIMEOUT_MS = 60_000;

export class MutexTimeoutError extends Error {
  constructor(readonly mutexPath: string, timeoutMs: number) {
    super(
      `Could not enter ${mutexPath} within ${Math.round(timeoutMs / 1000)} s: another Beacon process keeps it busy. ` +
        `Try again; if it persists, remove that folder.`,
    );
    this.name = 'MutexTimeoutError';
  }
}

export async function withFileMutex<T>(
  mutexPath: string,
  critical: () => T | Promise<T>,
  options: FileMutexOptions = {},
): Promise<T> {
  await mkdir(dirname(mutexPath), { recursive: true, mode: 0o700 });
  const release = await enterMutex(mutexPath, options.staleMs ?? DEFAULT_STALE_MS, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    return await critical();
  } finally {
    await release().catch(() => {
      // Released already (compromised and broken by another process): nothing left to undo.
    });
  }
}

/** Try to take the mutex until the deadline, with short random pauses (sections take milliseconds). */
async function enterMutex(mutexPath: string, staleMs: number, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await lockfile.lock(mutexPath, {
        lockfilePath: mutexPath,
        // The guarded file may not exist, so its real path cannot be resolved.
        realpath: false,
        stale: staleMs,
        retries: 0,
        // A section held past the stale time (event loop stalled for seconds) must not crash the process from
        // a timer; the section is tiny, so we carry on and release normally.
        onCompromised: () => {},
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() >= deadline) throw new MutexTimeoutError(mutexPath, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 45));
    }
  }
}
