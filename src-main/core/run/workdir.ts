import { closeSync, constants, fstatSync, openSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { folderPermissionHint, isPermissionDenied, protectedFolderOf } from './folder-permission.js';
import { nativePathOf } from './native.js';

/** `identity`: "dev:ino" of the checked directory; the agent must start in exactly it (run/launch.ts). */
export type WorkdirCheck = { ok: true; realPath: string; identity: string } | { ok: false; reason: string };

/**
 * The allowed-directories policy: `dir` must be an absolute path to an existing directory whose real
 * path lies inside the real path of one of `allowedDirectories` (compared by path segments, so
 * /srv/repos does not admit /srv/repos-evil, and a symlink cannot escape). `~` in the allowed list
 * means `homeDir`.
 *
 * The directory is opened first and judged by what was opened: its real path is read from the open
 * descriptor where the system can say (/proc on Linux, F_GETPATH on macOS through the native helper), so a
 * component swapped for a symlink between two look-ups by name cannot make another directory pass. Its
 * identity (device and inode) travels with the spawn and is verified after entering it (issue 15, point 3).
 */
export function checkWorkingDirectory(dir: string, allowedDirectories: string[], homeDir: string): WorkdirCheck {
  if (!dir || !isAbsolute(dir)) {
    return { ok: false, reason: `working directory '${dir}' is not an absolute path; give the full path (e.g. /home/me/project)` };
  }
  const opened = openDirectory(dir, homeDir);
  if (!opened.ok) return opened;
  const { realPath, identity } = opened;

  const allowedReal = allowedDirectories.map((entry) => realAllowedDirectory(entry, homeDir)).filter((p): p is string => p !== null);
  if (allowedReal.some((root) => isInside(realPath, root))) return { ok: true, realPath, identity };

  const shown = realPath === dir ? `'${dir}'` : `'${dir}' (real path '${realPath}')`;
  const list = allowedDirectories.length ? allowedDirectories.join(', ') : '(none)';
  return {
    ok: false,
    reason: `working directory ${shown} is outside the allowed directories [${list}]; add it to execution.allowed_directories in beacon.yaml`,
  };
}

type Opened = { ok: true; realPath: string; identity: string } | { ok: false; reason: string };

function openDirectory(dir: string, homeDir: string): Opened {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  } catch (error) {
    const denied = permissionReason(error, dir, homeDir);
    if (denied) return { ok: false, reason: denied };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENAMETOOLONG') return { ok: false, reason: `working directory '${dir}' does not exist on this machine` };
    if (code === 'ENOTDIR') return { ok: false, reason: isFile(dir) ? `working directory '${dir}' is a file, not a directory` : `working directory '${dir}' does not exist on this machine` };
    return { ok: false, reason: `working directory '${dir}' cannot be read on this machine` };
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isDirectory()) return { ok: false, reason: `working directory '${dir}' is a file, not a directory` };
    const identity = `${stat.dev}:${stat.ino}`;
    const realPath = pathOfDescriptor(fd) ?? realPathByName(dir, identity);
    if (!realPath) return { ok: false, reason: `working directory '${dir}' changed while it was being checked; queue the command again` };
    return { ok: true, realPath, identity };
  } finally {
    closeSync(fd);
  }
}

/** Linux names an open descriptor's file in /proc; macOS through F_GETPATH (native helper). */
function pathOfDescriptor(fd: number): string | null {
  if (process.platform === 'linux') {
    try {
      const path = readlinkSync(`/proc/self/fd/${fd}`);
      return isAbsolute(path) && !path.endsWith(' (deleted)') ? path : null;
    } catch {
      return null;
    }
  }
  return nativePathOf(fd);
}

/** Without a descriptor's path: the real path by name, accepted only if it is still the opened directory. */
function realPathByName(dir: string, identity: string): string | null {
  try {
    const realPath = realpathSync.native(dir);
    const stat = statSync(realPath, { bigint: true });
    return `${stat.dev}:${stat.ino}` === identity ? realPath : null;
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** An allowed entry with `~` / `~/…` meaning `homeDir` (other entries as written). */
export function expandAllowedEntry(entry: string, homeDir: string): string {
  return entry === '~' ? homeDir : entry.startsWith('~/') ? join(homeDir, entry.slice(2)) : entry;
}

/** The real path of one allowed entry, or null when it does not exist (it then admits nothing). */
function realAllowedDirectory(entry: string, homeDir: string): string | null {
  const expanded = expandAllowedEntry(entry, homeDir);
  if (!isAbsolute(expanded)) return null; // a relative entry would depend on Beacon's own cwd
  try {
    return realpathSync.native(expanded);
  } catch {
    return null;
  }
}

/** Segment-wise containment: `relative` never yields a '..' segment for a path inside `root`. */
function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + sep);
}

/** EPERM inside a folder macOS protects: say which permission to grant. */
function permissionReason(error: unknown, dir: string, homeDir: string): string | null {
  const folder = isPermissionDenied(error) ? protectedFolderOf(dir, homeDir) : null;
  return folder ? `working directory '${dir}' cannot be read: ${folderPermissionHint(folder)}` : null;
}
