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
const DEFAULT_TIMEOUT_MS = 20_000;

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
  critical: () => Promise<T>,
  options: FileMutexOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await mkdir(dirname(mutexPath), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(mutexPath, {
      lockfilePath: mutexPath,
      // The guarded file may not exist, so its real path cannot be resolved.
      realpath: false,
      stale: staleMs,
      // Short randomized waits: critical sections take milliseconds, and many processes may start at once.
      retries: { retries: 2000, minTimeout: 5, maxTimeout: 60, factor: 1.3, randomize: true, maxRetryTime: timeoutMs },
      // A section held past the stale time (event loop stalled for seconds) must not crash the process from a
      // timer; the section is tiny, so we carry on and release normally.
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new MutexTimeoutError(mutexPath, timeoutMs);
    throw error;
  }
  try {
    return await critical();
  } finally {
    await release().catch(() => {
      // Released already (compromised and broken by another process): nothing left to undo.
    });
  }
}
