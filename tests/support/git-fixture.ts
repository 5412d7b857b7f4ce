import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Git identity through the environment: tests never read or write the global git config. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Beacon Test',
  GIT_AUTHOR_EMAIL: 'beacon-test@example.invalid',
  GIT_COMMITTER_NAME: 'Beacon Test',
  GIT_COMMITTER_EMAIL: 'beacon-test@example.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });
}

/** A fresh temp dir holding `repo/` (one commit, a tracked `src/` folder) and room for `worktrees/`. */
export function makeRepo(options: { withMentu?: boolean } = {}): { base: string; repo: string } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-parity-git-')));
  const repo = join(base, 'repo');
  mkdirSync(join(repo, 'src'), { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), 'hello\n');
  writeFileSync(join(repo, 'src', 'index.txt'), 'code\n');
  git(repo, 'add', 'README.md', 'src/index.txt');
  git(repo, 'commit', '-q', '-m', 'first');
  if (options.withMentu) {
    mkdirSync(join(repo, '.mentu'));
    writeFileSync(join(repo, '.mentu', 'ledger.jsonl'), '{}\n');
  }
  return { base, repo };
}
