import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../../src-main/core/config/schema.js';
import { buildInvocation, resolveAgentCommand } from '../../../src-main/core/run/agents.js';
import { checkWorkingDirectory } from '../../../src-main/core/run/workdir.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-workdir-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const repos = join(root, 'repos');
const home = join(root, 'home');
mkdirSync(join(repos, 'project', 'src'), { recursive: true });
mkdirSync(join(root, 'repos-evil'), { recursive: true });
mkdirSync(join(home, 'code'), { recursive: true });
mkdirSync(join(root, 'outside'), { recursive: true });
writeFileSync(join(repos, 'project', 'README.md'), 'x');
symlinkSync(join(root, 'outside'), join(repos, 'escape'));
symlinkSync(join(repos, 'project'), join(root, 'link-in'));

const allowed = [repos, '~/code'];

function reason(dir: string): string {
  const check = checkWorkingDirectory(dir, allowed, home);
  expect(check.ok).toBe(false);
  return check.ok ? '' : check.reason;
}

describe('checkWorkingDirectory', () => {
  it('accepts directories inside an allowed one, the allowed one itself, ~ entries and symlinks that stay inside', () => {
    expect(checkWorkingDirectory(join(repos, 'project', 'src'), allowed, home)).toMatchObject({ ok: true, realPath: join(repos, 'project', 'src') });
    expect(checkWorkingDirectory(repos, allowed, home)).toMatchObject({ ok: true, realPath: repos });
    expect(checkWorkingDirectory(join(home, 'code'), allowed, home)).toMatchObject({ ok: true, realPath: join(home, 'code') });
    expect(checkWorkingDirectory(join(root, 'link-in'), allowed, home)).toMatchObject({ ok: true, realPath: join(repos, 'project') });
    expect(checkWorkingDirectory(`${repos}/project/../project`, allowed, home)).toMatchObject({ ok: true, realPath: join(repos, 'project') });
  });

  it('refuses with clear reasons', () => {
    expect(reason(join(repos, 'missing'))).toBe(`working directory '${join(repos, 'missing')}' does not exist on this machine`);
    expect(reason(join(repos, 'project', 'README.md'))).toBe(`working directory '${join(repos, 'project', 'README.md')}' is a file, not a directory`);
    expect(reason('repos/project')).toMatch(/^working directory 'repos\/project' is not an absolute path/);
    const dotdot = reason(`${repos}/project/../../outside`);
    expect(dotdot).toContain(`real path '${join(root, 'outside')}'`);
    expect(dotdot).toContain(`outside the allowed directories [${repos}, ~/code]`);
    const symlink = reason(join(repos, 'escape'));
    expect(symlink).toContain(`'${join(repos, 'escape')}' (real path '${join(root, 'outside')}') is outside the allowed directories`);
    expect(reason(join(root, 'repos-evil'))).toContain(`'${join(root, 'repos-evil')}' is outside the allowed directories [${repos}, ~/code]; add it to execution.allowed_directories`);
  });

  it('an allowed entry that is itself a symlink is compared by its real path', () => {
    symlinkSync(repos, join(root, 'repos-link'));
    expect(checkWorkingDirectory(join(repos, 'project'), [join(root, 'repos-link')], home)).toMatchObject({ ok: true, realPath: join(repos, 'project') });
    expect(checkWorkingDirectory(join(root, 'outside'), [join(root, 'repos-link')], home).ok).toBe(false);
  });
});

describe('agents', () => {
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'claude'), '#!/bin/sh\n');
  chmodSync(join(bin, 'claude'), 0o755);
  writeFileSync(join(bin, 'noexec'), '#!/bin/sh\n');
  chmodSync(join(bin, 'noexec'), 0o644);
  const profile = (command: string): AgentProfile => ({ command, args: ['-p', '{prompt}', '--verbose'], output: 'stream-json' });

  it('finds a bare name on PATH and accepts an absolute executable', () => {
    expect(resolveAgentCommand(profile('claude'), { PATH: `/nonexistent:${bin}` })).toEqual({ ok: true, path: join(bin, 'claude') });
    expect(resolveAgentCommand(profile(join(bin, 'claude')), { PATH: '' })).toEqual({ ok: true, path: join(bin, 'claude') });
  });

  it('refuses an unknown or non-executable command with a clear reason', () => {
    const missing = resolveAgentCommand(profile('claude'), { PATH: '/nonexistent:/also-not' }, 'claude');
    expect(missing).toEqual({
      ok: false,
      reason: "agent 'claude': command 'claude' was not found on PATH (/nonexistent:/also-not); set agents.claude.command in beacon.yaml to its absolute path",
    });
    expect(resolveAgentCommand(profile('noexec'), { PATH: bin }).ok).toBe(false);
    const abs = resolveAgentCommand(profile(join(bin, 'noexec')), { PATH: bin }, 'x');
    expect(abs.ok ? '' : abs.reason).toContain(`agent 'x': command '${join(bin, 'noexec')}' does not exist or is not an executable file`);
  });

  it('puts the prompt in exactly one argv element, last after "--", with the flags before "--"', () => {
    const prompt = 'a b; rm -rf / "$(x)"\n{prompt}';
    expect(buildInvocation('/bin/claude', profile('claude'), prompt, ['--max-turns', '5'])).toEqual({
      file: '/bin/claude',
      args: ['-p', '--verbose', '--max-turns', '5', '--', prompt],
    });
    expect(() => buildInvocation('/bin/claude', { command: 'c', args: ['x'], output: 'text' }, 'p', [])).toThrow(/exactly once/);
  });
});
