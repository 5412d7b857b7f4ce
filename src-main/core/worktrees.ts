import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { silentLogger, type Logger } from './logger.js';

/**
 * Per-commitment git worktrees, in the Bridge daemon's layout (docs/mentu-schema.md#worktrees):
 * `<parent of the repo root>/worktrees/<commitment id>` on a branch named after the commitment.
 * Unlike the Bridge, every commitment id Mentu issues is accepted (docs/mentu-schema.md#bug-worktree-ids), an unsafe id is
 * refused with a reason, and any failure fails the command: nothing silently runs in the main checkout.
 */

export type WorktreeResult =
  | { ok: true; cwd: string; env: Record<string, string> }
  | { ok: false; reason: string };

export interface WorktreeRequest {
  workingDirectory: string;
  commitmentId: string | null;
  withWorktree: boolean;
}

export interface WorktreeOptions {
  /** The git binary (absolute path or a name on PATH). */
  gitPath?: string;
  /** Environment for git (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** Per git call (default 60 s: a worktree checkout of a large repository takes a while). */
  timeoutMs?: number;
  logger?: Logger;
}

const MAX_ID_LENGTH = 100;

/**
 * A commitment id becomes a directory name and a branch name, so it must be a safe single path segment
 * and a valid git branch name. Returns the reason it is not, or null when it is safe.
 */
export function commitmentIdProblem(id: string): string | null {
  const shown = JSON.stringify(id);
  if (id.length === 0) return 'the commitment id is empty';
  if (id.length > MAX_ID_LENGTH) return `the commitment id is longer than ${MAX_ID_LENGTH} characters`;
  if (id === '.' || id === '..') return `the commitment id ${shown} names a directory, not a commitment`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/u.test(id)) return `the commitment id ${shown} contains whitespace or a control character`;
  const forbidden = /[/\\:~^?*[\]@{}$`;"'&|<>()!#%]/.exec(id);
  if (forbidden) return `the commitment id ${shown} contains the character '${forbidden[0]}'`;
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) return `the commitment id ${shown} may only contain letters, digits, '_', '-' and '.'`;
  if (id.startsWith('-')) return `the commitment id ${shown} starts with '-' (it would read as an option)`;
  if (id.startsWith('.')) return `the commitment id ${shown} starts with '.'`;
  if (id.includes('..')) return `the commitment id ${shown} contains '..'`;
  if (id.endsWith('.')) return `the commitment id ${shown} ends with '.'`;
  if (id.toLowerCase().endsWith('.lock')) return `the commitment id ${shown} ends with '.lock' (git reserves it)`;
  return null;
}

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Exit code, or null when git could not be started or was killed. */
  code: number | null;
  spawnError: string | null;
}

function runGit(args: string[], cwd: string, options: WorktreeOptions): Promise<GitResult> {
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' };
  return new Promise((resolve) => {
    execFile(
      options.gitPath ?? 'git',
      args,
      { cwd, env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout, stderr, code: 0, spawnError: null });
        const err = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        const code = typeof err.code === 'number' ? err.code : null;
        const spawnError = typeof err.code === 'string' ? `${err.code}: ${err.message}` : err.killed ? 'git timed out' : null;
        resolve({ ok: false, stdout: stdout ?? '', stderr: stderr ?? '', code, spawnError });
      },
    );
  });
}

function gitFailure(what: string, result: GitResult): string {
  const detail = result.spawnError ?? (result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`);
  return `${what}: ${detail.split('\n').slice(0, 4).join(' / ')}`;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The worktree paths git knows for the repository (real paths). */
async function listWorktrees(repoRoot: string, options: WorktreeOptions): Promise<string[] | string> {
  const list = await runGit(['worktree', 'list', '--porcelain'], repoRoot, options);
  if (!list.ok) return gitFailure('git worktree list failed', list);
  return list.stdout
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length))
    .map((path) => realOrNull(path) ?? path);
}

/**
 * Prepare the directory a command runs in. Without with_worktree or a commitment id the command runs in
 * its own directory. With both, the worktree is created or reused, or the command must fail with `reason`.
 */
export async function prepareWorktree(request: WorktreeRequest, options: WorktreeOptions = {}): Promise<WorktreeResult> {
  const logger = options.logger ?? silentLogger;
  const commitmentId = request.commitmentId;
  if (!request.withWorktree || commitmentId === null) return { ok: true, cwd: request.workingDirectory, env: {} };

  const idProblem = commitmentIdProblem(commitmentId);
  if (idProblem) return { ok: false, reason: `Cannot create a worktree: ${idProblem}.` };

  const workingDirectory = realOrNull(request.workingDirectory);
  if (!workingDirectory || !statSync(workingDirectory).isDirectory()) {
    return { ok: false, reason: `Cannot create a worktree: the working directory ${request.workingDirectory} does not exist.` };
  }

  const top = await runGit(['rev-parse', '--show-toplevel'], workingDirectory, options);
  if (!top.ok) {
    const reason = top.spawnError
      ? gitFailure(`git could not be run (${options.gitPath ?? 'git'})`, top)
      : `${workingDirectory} is not inside a git repository (${top.stderr.trim().split('\n')[0] || `exit ${top.code}`})`;
    return { ok: false, reason: `The command asks for a worktree for ${commitmentId}, but ${reason}.` };
  }
  const repoRoot = realOrNull(top.stdout.trim()) ?? top.stdout.trim();
  const worktreesDir = join(dirname(repoRoot), 'worktrees');
  const worktreePath = join(worktreesDir, commitmentId);
  if (dirname(worktreePath) !== worktreesDir) {
    return { ok: false, reason: `Cannot create a worktree: ${commitmentId} does not stay inside ${worktreesDir}.` };
  }

  if (existsSync(worktreePath)) {
    const known = await listWorktrees(repoRoot, options);
    if (typeof known === 'string') return { ok: false, reason: known };
    const real = realOrNull(worktreePath) ?? worktreePath;
    if (!known.includes(real)) {
      return {
        ok: false,
        reason: `${worktreePath} already exists but is not a worktree of ${repoRoot}; move it away or remove it.`,
      };
    }
    logger.info('reusing the existing worktree', { commitmentId, worktreePath });
  } else {
    try {
      mkdirSync(worktreesDir, { recursive: true });
    } catch (error) {
      return { ok: false, reason: `Cannot create ${worktreesDir}: ${(error as Error).message}` };
    }
    const branch = await runGit(['show-ref', '--verify', '--quiet', `refs/heads/${commitmentId}`], repoRoot, options);
    if (branch.spawnError) return { ok: false, reason: gitFailure('git could not be run', branch) };
    // `--` ends the options, so no id can be read as a flag even if validation were bypassed.
    const args = branch.ok
      ? ['worktree', 'add', '--', worktreePath, commitmentId]
      : ['worktree', 'add', '-b', commitmentId, '--', worktreePath];
    let added = await runGit(args, repoRoot, options);
    if (!added.ok && /missing but already registered worktree/i.test(added.stderr)) {
      // The folder of an earlier worktree was deleted by hand: git still lists it until it is pruned.
      const pruned = await runGit(['worktree', 'prune'], repoRoot, options);
      if (pruned.ok) added = await runGit(args, repoRoot, options);
    }
    if (!added.ok) {
      return { ok: false, reason: gitFailure(`git worktree add for ${commitmentId} failed in ${repoRoot}`, added) };
    }
    logger.info(branch.ok ? 'worktree added on the existing branch' : 'worktree added on a new branch', {
      commitmentId,
      worktreePath,
    });
  }

  const linked = linkMentuFolder(repoRoot, worktreePath);
  if (linked) return { ok: false, reason: linked };

  // A command aimed at a sub-folder of the repository runs in the same sub-folder of the worktree.
  const sub = relative(repoRoot, workingDirectory);
  const cwd = sub ? join(worktreePath, sub) : worktreePath;
  if (!isInside(cwd, worktreePath) || !existsSync(cwd)) {
    return { ok: false, reason: `The worktree ${worktreePath} has no folder ${sub} (is it tracked by git?).` };
  }
  return {
    ok: true,
    cwd,
    env: { MENTU_COMMITMENT: commitmentId, MENTU_WORKTREE: worktreePath, MENTU_WORKSPACE: repoRoot },
  };
}

/** Link the repository's `.mentu` into the worktree so the ledger stays one. Returns a problem or null. */
function linkMentuFolder(repoRoot: string, worktreePath: string): string | null {
  const source = join(repoRoot, '.mentu');
  const target = join(worktreePath, '.mentu');
  let sourceStat;
  try {
    sourceStat = lstatSync(source);
  } catch {
    return null; // no .mentu in this repository: nothing to link
  }
  // A symlinked .mentu could point anywhere; only a real folder inside the repository is linked.
  if (!sourceStat.isDirectory()) return `${source} is not a real folder; refusing to link it into the worktree.`;
  try {
    lstatSync(target);
    return null; // already there (tracked by git, or linked by an earlier run)
  } catch {
    // not there yet
  }
  try {
    symlinkSync(source, target, 'dir');
    return null;
  } catch (error) {
    return `Cannot link ${source} into ${worktreePath}: ${(error as Error).message}`;
  }
}
