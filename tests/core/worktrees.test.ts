import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitmentIdProblem, prepareWorktree } from '../../src-main/core/worktrees.js';
import { GIT_ENV, git, makeRepo } from '../support/git-fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(options: { withMentu?: boolean } = {}) {
  const made = makeRepo(options);
  dirs.push(made.base);
  return made;
}

const opts = { env: GIT_ENV };

describe('commitment ids', () => {
  it.each(['cmt_1a2b3c4d', 'cmt_kzr4z3eo', 'cmt_0zq9x8w7', 'mem_abc', 'cmt_A1-b2.c3'])('accepts %s', (id) => {
    expect(commitmentIdProblem(id)).toBeNull();
  });

  it.each([
    ['../x', "'/'"],
    ['a/b', "'/'"],
    ['a\\b', "'\\'"],
    ['-rf', "starts with '-'"],
    ['x y', 'whitespace'],
    ['cmt_1..2', "'..'"],
    ['', 'empty'],
    ['.', 'names a directory'],
    ['..', 'names a directory'],
    ['x.lock', '.lock'],
    ['a:b', "':'"],
    ['a~1', "'~'"],
    ['a^b', "'^'"],
    ['a?b', "'?'"],
    ['a*b', "'*'"],
    ['a[b', "'['"],
    ['tab\there', 'control'],
    ['.hidden', "starts with '.'"],
    ['x'.repeat(101), 'longer than'],
  ])('refuses %j with a reason', (id, why) => {
    expect(commitmentIdProblem(id)).toContain(why);
  });
});

describe('prepareWorktree on a real repository', () => {
  it('runs in the command directory when no worktree is asked for', async () => {
    const { repo: dir } = repo();
    expect(await prepareWorktree({ workingDirectory: dir, commitmentId: 'cmt_1a2b3c4d', withWorktree: false }, opts)).toEqual({
      ok: true,
      cwd: dir,
      env: {},
    });
    expect(await prepareWorktree({ workingDirectory: dir, commitmentId: null, withWorktree: true }, opts)).toEqual({
      ok: true,
      cwd: dir,
      env: {},
    });
  });

  it.each(['cmt_1a2b3c4d', 'cmt_kzr4z3eo', 'cmt_x7k2m9qa'])('creates worktree and branch for %s, linking .mentu', async (id) => {
    const { base, repo: dir } = repo({ withMentu: true });
    const result = await prepareWorktree({ workingDirectory: dir, commitmentId: id, withWorktree: true }, opts);
    const expected = join(base, 'worktrees', id);
    expect(result).toEqual({
      ok: true,
      cwd: expected,
      env: { MENTU_COMMITMENT: id, MENTU_WORKTREE: expected, MENTU_WORKSPACE: dir },
    });
    expect(git(expected, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(id);
    expect(existsSync(join(expected, 'README.md'))).toBe(true);
    expect(lstatSync(join(expected, '.mentu')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(expected, '.mentu'))).toBe(join(dir, '.mentu'));
    // The main checkout is untouched.
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
  });

  it('reuses an existing branch of that name', async () => {
    const { base, repo: dir } = repo();
    git(dir, 'branch', 'cmt_kzr4z3eo');
    writeFileSync(join(dir, 'later.txt'), 'on main only\n');
    git(dir, 'add', 'later.txt');
    git(dir, 'commit', '-q', '-m', 'main moves on');
    const result = await prepareWorktree({ workingDirectory: dir, commitmentId: 'cmt_kzr4z3eo', withWorktree: true }, opts);
    const path = join(base, 'worktrees', 'cmt_kzr4z3eo');
    expect(result).toMatchObject({ ok: true, cwd: path });
    expect(git(path, 'rev-parse', 'HEAD').trim()).toBe(git(dir, 'rev-parse', 'cmt_kzr4z3eo').trim());
    // The existing branch was checked out, not a new one from main.
    expect(existsSync(join(path, 'later.txt'))).toBe(false);
  });

  it('reuses an existing worktree of this repository, keeping its work', async () => {
    const { base, repo: dir } = repo();
    const path = join(base, 'worktrees', 'cmt_1a2b3c4d');
    git(dir, 'worktree', 'add', '-q', '-b', 'cmt_1a2b3c4d', path);
    writeFileSync(join(path, 'work-in-progress.txt'), 'keep me\n');
    const result = await prepareWorktree({ workingDirectory: dir, commitmentId: 'cmt_1a2b3c4d', withWorktree: true }, opts);
    expect(result).toMatchObject({ ok: true, cwd: path });
    expect(existsSync(join(path, 'work-in-progress.txt'))).toBe(true);
  });

  it('recreates a worktree whose folder was deleted by hand (git still listed it)', async () => {
    const { base, repo: dir } = repo();
    const path = join(base, 'worktrees', 'cmt_1a2b3c4d');
    git(dir, 'worktree', 'add', '-q', '-b', 'cmt_1a2b3c4d', path);
    rmSync(path, { recursive: true, force: true });
    const result = await prepareWorktree({ workingDirectory: dir, commitmentId: 'cmt_1a2b3c4d', withWorktree: true }, opts);
    expect(result).toMatchObject({ ok: true, cwd: path });
    expect(git(path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('cmt_1a2b3c4d');
  });

  it('maps a sub-folder of the repository to the same sub-folder of the worktree', async () => {
    const { base, repo: dir } = repo();
    const result = await prepareWorktree(
      { workingDirectory: join(dir, 'src'), commitmentId: 'cmt_1a2b3c4d', withWorktree: true },
      opts,
    );
    expect(result).toMatchObject({ ok: true, cwd: join(base, 'worktrees', 'cmt_1a2b3c4d', 'src') });
    if (result.ok) expect(result.env.MENTU_WORKSPACE).toBe(dir);
  });

  it('refuses a folder at the worktree path that is not a worktree of this repository', async () => {
    const { base, repo: dir } = repo();
    mkdirSync(join(base, 'worktrees', 'cmt_1a2b3c4d'), { recursive: true });
    const result = await prepareWorktree({ workingDirectory: dir, commitmentId: 'cmt_1a2b3c4d', withWorktree: true }, opts);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('is not a worktree of');
  });

  it.each(['../x', 'a/b', '-rf', 'x y', 'cmt_1..2', '', '.', '..', 'x.lock'])(
    'refuses the unsafe id %j and creates nothing',
    async (id) => {
      const { base, repo: dir } = repo();
      const result = await prepareWorktree({ workingDirectory: dir, commitmentId: id, withWorktree: true }, opts);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^Cannot create a worktree: the commitment id/);
      expect(existsSync(join(base, 'worktrees'))).toBe(false);
      expect(existsSync(join(base, 'x'))).toBe(false);
      expect(git(dir, 'branch', '--list').trim()).toBe('* main');
    },
  );

  it('fails (no fallback) when the directory is not in a git repository', async () => {
    const plain = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-parity-plain-')));
    dirs.push(plain);
    const result = await prepareWorktree(
      { workingDirectory: plain, commitmentId: 'cmt_1a2b3c4d', withWorktree: true },
      { env: { ...GIT_ENV, GIT_CEILING_DIRECTORIES: tmpdir() } },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('is not inside a git repository');
  });

  it('fails (no fallback) when git cannot run or git itself fails', async () => {
    const { base, repo: dir } = repo();
    const missing = await prepareWorktree(
      { workingDirectory: dir, commitmentId: 'cmt_1a2b3c4d', withWorktree: true },
      { ...opts, gitPath: join(base, 'no-such-git') },
    );
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reason).toContain('git could not be run');

    // The branch is already checked out in the main checkout, so git refuses a second worktree on it.
    git(dir, 'checkout', '-q', '-b', 'cmt_kzr4z3eo');
    const busy = await prepareWorktree({ workingDirectory: dir, commitmentId: 'cmt_kzr4z3eo', withWorktree: true }, opts);
    expect(busy.ok).toBe(false);
    if (!busy.ok) expect(busy.reason).toContain('git worktree add for cmt_kzr4z3eo failed');
  });

  it('fails when the working directory does not exist', async () => {
    const { base } = repo();
    const result = await prepareWorktree(
      { workingDirectory: join(base, 'gone'), commitmentId: 'cmt_1a2b3c4d', withWorktree: true },
      opts,
    );
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('does not exist') });
  });
});
