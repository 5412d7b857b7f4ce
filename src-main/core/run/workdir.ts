import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { folderPermissionHint, isPermissionDenied, protectedFolderOf } from './folder-permission.js';

export type WorkdirCheck = { ok: true; realPath: string } | { ok: false; reason: string };

/**
 * The allowed-directories policy: `dir` must be an absolute path to an existing directory whose real
 * path lies inside the real path of one of `allowedDirectories` (compared by path segments, so
 * /srv/repos does not admit /srv/repos-evil, and a symlink cannot escape). `~` in the allowed list
 * means `homeDir`.
 */
export function checkWorkingDirectory(dir: string, allowedDirectories: string[], homeDir: string): WorkdirCheck {
  if (!dir || !isAbsolute(dir)) {
    return { ok: false, reason: `working directory '${dir}' is not an absolute path; give the full path (e.g. /home/me/project)` };
  }
  let realPath: string;
  try {
    realPath = realpathSync.native(dir);
  } catch (error) {
    return { ok: false, reason: permissionReason(error, dir, homeDir) ?? `working directory '${dir}' does not exist on this machine` };
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(realPath).isDirectory();
  } catch (error) {
    return { ok: false, reason: permissionReason(error, dir, homeDir) ?? `working directory '${dir}' cannot be read on this machine` };
  }
  if (!isDirectory) return { ok: false, reason: `working directory '${dir}' is a file, not a directory` };

  const allowedReal = allowedDirectories.map((entry) => realAllowedDirectory(entry, homeDir)).filter((p): p is string => p !== null);
  if (allowedReal.some((root) => isInside(realPath, root))) return { ok: true, realPath };

  const shown = realPath === dir ? `'${dir}'` : `'${dir}' (real path '${realPath}')`;
  const list = allowedDirectories.length ? allowedDirectories.join(', ') : '(none)';
  return {
    ok: false,
    reason: `working directory ${shown} is outside the allowed directories [${list}]; add it to execution.allowed_directories in beacon.yaml`,
  };
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
