import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The one way Beacon replaces a file it owns (config, lock record, pause state, secrets, approvals,
 * credentials, outbox entries, service files): readers see either the old or the new content, never half
 * of it. The content goes to a temp file beside the target, which is then renamed over it.
 */

export interface AtomicWriteOptions {
  /** The file's mode, applied with fchmod so the umask cannot narrow it nor an older file's mode linger. */
  mode?: number;
  /** fsync before the rename: for files that must survive a power cut (beacon.yaml, credentials). */
  durable?: boolean;
  /** Create the parent folder (recursively) with this mode when it is missing. */
  parentMode?: number;
  /**
   * When the path is a symlink, write (atomically) to the file it points to and keep the link: a person's
   * beacon.yaml kept in a dotfiles repository and linked into ~/.mentu stays theirs (issue 15, point 8).
   */
  throughSymlink?: boolean;
}

/** The file a symlink names (through a chain, even one that ends nowhere yet); the path itself otherwise. */
function symlinkTarget(path: string): string {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) return current;
      link = readlinkSync(current);
    } catch {
      return current; // missing: written here
    }
    current = resolve(dirname(current), link);
  }
  throw new Error(`${path}: too many levels of symbolic links`);
}

const tempName = (path: string): string => `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

export async function writeFileAtomic(named: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const { mode = 0o644, durable = false, parentMode } = options;
  const path = options.throughSymlink ? symlinkTarget(named) : named;
  if (parentMode !== undefined) await mkdir(dirname(path), { recursive: true, mode: parentMode });
  const temp = tempName(path);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(content);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Synchronous, for short critical sections that must not yield to the event loop (the executor lock record). */
export function writeFileAtomicSync(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const { mode = 0o644, durable = false, parentMode } = options;
  if (parentMode !== undefined) mkdirSync(dirname(path), { recursive: true, mode: parentMode });
  const temp = tempName(path);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeFileSync(fd, content);
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

/** JSON as Beacon writes it for people to read: two-space indent, a final newline. */
export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
