import type { LockHolderView } from '../contract/types.js';
import { acquireExecutorLock, describeHolder, LockHeldError, waitForExecutorLock, type HeldExecutorLock } from '../lock/executor-lock.js';
import type { Logger } from '../logger.js';
import type { MentuPaths } from '../paths.js';

/**
 * The singleton lock: headless fails at once naming the holder; the app waits in standby (showing the
 * holder) until the lock is free or the wait is aborted.
 */
export interface TakeLockOptions {
  paths: MentuPaths;
  mode: 'app' | 'headless';
  machineId: string;
  logger: Logger;
  retryMs: number;
  signal: AbortSignal;
  onStandby(holder: LockHolderView): void;
}

export async function takeExecutorLock(options: TakeLockOptions): Promise<HeldExecutorLock> {
  const lockOptions = { mode: options.mode, machineId: options.machineId };
  const first = await acquireExecutorLock(options.paths, lockOptions);
  if (first.ok) return first.lock;
  if (options.mode === 'headless') throw new LockHeldError(first.holder);
  options.logger.info(`standby: ${describeHolder(first.holder)}`);
  options.onStandby(first.holder);
  return waitForExecutorLock(options.paths, lockOptions, {
    intervalMs: options.retryMs,
    signal: options.signal,
    onStandby: options.onStandby,
  });
}
