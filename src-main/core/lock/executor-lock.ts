import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, unlinkSync } from 'node:fs';
import type { LockHolderView } from '../contract/types.js';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { currentHostname, VERSION } from '../identity.js';
import type { MentuPaths } from '../paths.js';
import { withFileMutex } from './file-mutex.js';
import { describeHolderText, holderView } from './holders.js';
import { legacyBeaconHolder } from './legacy-beacon-lock.js';
import { isPidAlive } from './pid.js';
import { isSameHolder, parseLockFile, serializeRecord, type BeaconLockRecord, type LockFileContent } from './record.js';

/**
 * The singleton executor lock at ~/.mentu/executor.lock, shared with the older Bridge. Every read-check-write
 * of the record happens inside a cross-process mutex (proper-lockfile on executor.lock.mutex), so two
 * executors starting at once cannot both see "free". A holder that died (kill -9) leaves a record whose pid
 * is gone: the next executor takes it over at once. The critical sections use synchronous file calls so
 * they finish in one go, without yielding to the event loop while dozens of processes wait.
 */

export interface AcquireOptions {
  mode: 'app' | 'headless';
  machineId: string;
  /** This executor start's id in the record (default: a random UUID). */
  instanceId?: string;
  /** The clock for started_at (default: now). */
  now?: () => Date;
}

export interface HeldExecutorLock {
  record: BeaconLockRecord;
  /** Removes the lock file only if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export type AcquireResult = { ok: true; lock: HeldExecutorLock } | { ok: false; holder: LockHolderView };

export class LockHeldError extends Error {
  constructor(readonly holder: LockHolderView) {
    super(describeHolder(holder));
    this.name = 'LockHeldError';
  }
}

/** Instance ids of the locks this process holds: a record with our pid but another id is a leftover. */
const heldHere = new Set<string>();

const mutexPath = (paths: MentuPaths): string => `${paths.executorLock}.mutex`;

function readLockFile(path: string): LockFileContent | null {
  try {
    return parseLockFile(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The holder named by the lock file if it is alive, else null (free, unparsable or stale). */
function liveHolder(content: LockFileContent | null): LockHolderView | null {
  if (!content || content.kind === 'unparsable') return null;
  const pid = content.kind === 'other' ? content.pid : content.record.pid;
  if (pid === process.pid) {
    // Only a record we wrote in this process is alive under our pid; anything else outlived a reused pid.
    const self = content.kind === 'beacon' && heldHere.has(content.record.id);
    return self ? holderView(content, true, true) : null;
  }
  return isPidAlive(pid) ? holderView(content, true, false) : null;
}

/** Atomically take the singleton lock, taking over a dead holder; or report who holds it. */
export async function acquireExecutorLock(paths: MentuPaths, options: AcquireOptions): Promise<AcquireResult> {
  return withFileMutex(mutexPath(paths), (): AcquireResult => {
    const legacy = legacyBeaconHolder(paths, true);
    if (legacy) return { ok: false, holder: legacy };
    const holder = liveHolder(readLockFile(paths.executorLock));
    if (holder) return { ok: false, holder };
    const record: BeaconLockRecord = {
      type: 'beacon',
      mode: options.mode,
      id: options.instanceId ?? randomUUID(),
      machine_id: options.machineId,
      pid: process.pid,
      hostname: currentHostname(),
      version: VERSION,
      started_at: (options.now ?? (() => new Date()))().toISOString(),
    };
    writeFileAtomicSync(paths.executorLock, serializeRecord(record));
    heldHere.add(record.id);
    return { ok: true, lock: heldLock(paths, record) };
  });
}

function heldLock(paths: MentuPaths, record: BeaconLockRecord): HeldExecutorLock {
  let releasing: Promise<void> | null = null;
  return {
    record,
    release() {
      releasing ??= withFileMutex(mutexPath(paths), () => {
        const content = readLockFile(paths.executorLock);
        if (content && isSameHolder(content, record)) rmSync(paths.executorLock, { force: true });
      }).finally(() => heldHere.delete(record.id));
      return releasing;
    },
  };
}

/**
 * A last-chance release when the process exits without calling release() (uncaught error, process.exit).
 * Synchronous and without the mutex: the record can only be replaced by someone who saw our pid dead, and we
 * are still alive here, so checking that it is ours and unlinking it cannot remove another holder's record.
 * Returns a function that unregisters the handler. Signal handling is the executor's job.
 */
export function releaseExecutorLockOnExit(paths: MentuPaths, lock: HeldExecutorLock): () => void {
  const onExit = (): void => {
    try {
      if (isSameHolder(parseLockFile(readFileSync(paths.executorLock, 'utf8')), lock.record)) unlinkSync(paths.executorLock);
    } catch {
      // Best effort: already gone, or unreadable; the next executor takes over a dead pid anyway.
    }
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}

/** Who holds the lock now (empty when free). For the UI, `beacon status` and standby messages. */
export async function readLockHolders(paths: MentuPaths): Promise<LockHolderView[]> {
  const holders: LockHolderView[] = [];
  const current = liveHolder(readLockFile(paths.executorLock));
  if (current) holders.push(current);
  const legacy = legacyBeaconHolder(paths, false);
  if (legacy) holders.push(legacy);
  return holders;
}

/** "The executor lock is held by Beacon (headless): type, pid, id, …, started …\nTo stop it: …" */
export function describeHolder(holder: LockHolderView): string {
  return describeHolderText(holder);
}

export interface WaitOptions {
  /** How often to retry while another executor holds the lock (default 2000 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called whenever the holder is (re)read while waiting: drives the standby display. */
  onStandby?: (holder: LockHolderView) => void;
}

function abortError(): Error {
  const error = new Error('Stopped waiting for the executor lock');
  error.name = 'AbortError';
  return error;
}

/** Standby: retry until the lock is ours (resolves) or the signal aborts (rejects with AbortError). */
export async function waitForExecutorLock(
  paths: MentuPaths,
  options: AcquireOptions,
  wait: WaitOptions = {},
): Promise<HeldExecutorLock> {
  const intervalMs = wait.intervalMs ?? 2000;
  for (;;) {
    if (wait.signal?.aborted) throw abortError();
    const result = await acquireExecutorLock(paths, options);
    if (result.ok) {
      if (!wait.signal?.aborted) return result.lock;
      await result.lock.release(); // aborted while acquiring: nobody wants it any more
      throw abortError();
    }
    wait.onStandby?.(result.holder);
    if (!(await pause(intervalMs, wait.signal))) throw abortError();
  }
}

/** Wait, or stop early when the signal aborts; resolves false when aborted. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false); // aborted by onStandby itself: no abort event will come
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
