import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { LEGACY_CLAUDE_ARGS } from '../../src-main/core/config/schema.js';
import { CLI, runCliSync } from '../support/cli.js';
import { makeSandbox, type Sandbox } from '../support/local-sandbox.js';
import { CLAUDE_VERSION, useRealClaude, type ClaudeHome } from '../support/real-claude.js';

/** `beacon doctor` about the REAL claude CLI: its version, whether it is logged in, the login shell, the argv. */

interface Check { name: string; level: string; detail: string; fix: string | null }
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function realClaudeSandbox(options: { apiKey?: false } = {}): { sandbox: Sandbox; claudeHome: ClaudeHome } {
  const sandbox = makeSandbox();
  const claudeHome = useRealClaude(sandbox, { url: 'http://127.0.0.1:9' }, options);
  cleanups.push(() => sandbox.cleanup(), () => claudeHome.cleanup());
  return { sandbox, claudeHome };
}

function doctor(sandbox: Sandbox): { status: number | null; checks: Check[] } {
  const result = runCliSync(['doctor', '--json'], { env: sandbox.env, cwd: sandbox.work });
  return { status: result.status, checks: (JSON.parse(result.stdout) as { checks: Check[] }).checks };
}
const named = (checks: Check[], name: string): Check | undefined => checks.find((c) => c.name === name);

describe('beacon doctor and the real claude CLI', () => {
  it('logged in with a key: the version and how it is logged in', () => {
    const { sandbox } = realClaudeSandbox();
    const { checks } = doctor(sandbox);
    expect(named(checks, 'agent claude')).toMatchObject({ level: 'ok', detail: expect.stringContaining(`(${CLAUDE_VERSION} (Claude Code))`) });
    expect(named(checks, 'agent claude login')).toEqual({ name: 'agent claude login', level: 'ok', detail: 'logged in: API key (ANTHROPIC_API_KEY)', fix: null });
    expect(named(checks, 'login shell')).toMatchObject({ level: 'info', detail: expect.stringContaining('BEACON_LOGIN_SHELL=0') });
  });

  it('not logged in: a problem with what to do, and a non-zero exit', () => {
    const { sandbox } = realClaudeSandbox({ apiKey: false });
    const { status, checks } = doctor(sandbox);
    expect(status).toBe(1);
    expect(named(checks, 'agent claude login')).toMatchObject({ level: 'problem', detail: expect.stringContaining('not logged in'), fix: expect.stringContaining('/login') });
  });

  it('the login shell: resolved, with the time it took', () => {
    const { sandbox } = realClaudeSandbox();
    delete sandbox.env.BEACON_LOGIN_SHELL;
    sandbox.env.SHELL = '/bin/sh';
    const check = named(doctor(sandbox).checks, 'login shell');
    expect(check).toMatchObject({ level: 'ok', detail: expect.stringMatching(/^the environment of `\/bin\/sh -ilc` resolved in \d+\.\d s$/) });
  });

  // As root a file's mode does not stop a write, so this runs doctor as another user (nobody) when it can.
  it.skipIf(process.getuid?.() !== 0)('a beacon.yaml of the earlier default that Beacon cannot rewrite: doctor says the argv is corrected at each run', () => {
    const { sandbox } = realClaudeSandbox();
    const file = join(sandbox.home, 'beacon.yaml');
    const config = parseYaml(readFileSync(file, 'utf8')) as { agents: Record<string, { args: string[] }> };
    config.agents.claude!.args = [...LEGACY_CLAUDE_ARGS];
    writeFileSync(file, JSON.stringify(config));
    for (const dir of [sandbox.root, sandbox.home]) chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    const result = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { env: sandbox.env, cwd: '/', uid: 65534, gid: 65534, encoding: 'utf8', timeout: 60_000 });
    const checks = (JSON.parse(result.stdout) as { checks: Check[] }).checks;
    expect(named(checks, 'agent claude argv')).toMatchObject({
      level: 'warning',
      detail: expect.stringMatching(/the file could not be rewritten: .*EACCES[\s\S]*Beacon corrects it at each run to \["-p","--output-format","stream-json","--verbose","--","\{prompt\}"\]/),
    });
    expect((parseYaml(readFileSync(file, 'utf8')) as typeof config).agents.claude!.args).toEqual(LEGACY_CLAUDE_ARGS);
  });
});
