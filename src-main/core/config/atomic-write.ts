import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Write a file so readers see either the old or the new content, never half of it: a temp file beside it,
 * then renamed over the target.
 */

const tempName = (path: string): string => `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/** Flushed to disk before the rename: for files that must survive a power cut (beacon.yaml). */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const temp = tempName(path);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Synchronous, for short critical sections that must not yield to the event loop (the executor lock record).
 * `durable` adds an fsync; a lock record need not survive a reboot, since its holder does not either.
 */
export function writeFileAtomicSync(path: string, content: string, { mode = 0o644, durable = false } = {}): void {
  const temp = tempName(path);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, content);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
