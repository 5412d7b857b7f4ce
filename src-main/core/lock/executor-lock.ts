import type { LockHolderView } from '../api/types.js';
import type { MentuPaths } from '../paths.js';

// SIGNATURES ONLY (owned by the foundation issue): bodies to be implemented; keep the exported names.

/** What Beacon writes into ~/.mentu/executor.lock. */
export interface BeaconLockRecord {
  type: 'beacon';
  mode: 'app' | 'headless';
  id: string;
  machine_id: string;
  pid: number;
  hostname: string;
  version: string;
  started_at: string;
}

/** What the older Bridge daemon wrote there. */
export interface BridgeLockRecord {
  type: 'bridge';
  pid: number;
  workspace_id?: string;
  started_at?: string;
}

export interface AcquireOptions {
  mode: 'app' | 'headless';
  machineId: string;
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

/** Atomically take the singleton lock, taking over a dead holder; or report who holds it. */
export async function acquireExecutorLock(_paths: MentuPaths, _options: AcquireOptions): Promise<AcquireResult> {
  throw new Error('acquireExecutorLock: not implemented yet');
}

/** Who holds the lock now (empty when free). For the UI, `beacon status` and standby messages. */
export async function readLockHolders(_paths: MentuPaths): Promise<LockHolderView[]> {
  throw new Error('readLockHolders: not implemented yet');
}

/** "Held by beacon (headless) pid 123, id beacon-x, since …\nTo stop it: …" */
export function describeHolder(holder: LockHolderView): string {
  return `The executor lock is held by ${holder.type} pid ${holder.pid}. ${holder.stopInstruction}`;
}

export interface WaitOptions {
  /** How often to retry while another executor holds the lock (default 2000 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called whenever the holder is (re)read while waiting: drives the standby display. */
  onStandby?: (holder: LockHolderView) => void;
}

/** Standby: retry until the lock is ours (resolves) or the signal aborts (rejects with AbortError). */
export async function waitForExecutorLock(
  _paths: MentuPaths,
  _options: AcquireOptions,
  _wait: WaitOptions = {},
): Promise<HeldExecutorLock> {
  throw new Error('waitForExecutorLock: not implemented yet');
}
