// SIGNATURES ONLY (owned by the command-engine run pipeline): bodies to be implemented; keep the names.

export type WorkdirCheck = { ok: true; realPath: string } | { ok: false; reason: string };

/**
 * The allowed-directories policy: `dir` must be an absolute path to an existing directory whose real
 * path lies inside the real path of one of `allowedDirectories` (compared by path segments, so
 * /srv/repos does not admit /srv/repos-evil, and a symlink cannot escape). `~` in the allowed list
 * means `homeDir`.
 */
export function checkWorkingDirectory(_dir: string, _allowedDirectories: string[], _homeDir: string): WorkdirCheck {
  throw new Error('checkWorkingDirectory: not implemented yet');
}
