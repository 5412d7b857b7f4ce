import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentEnvironment, isSecretVariable, loginShellEnvironment, loginShellReport, parseBetweenMarkers } from '../../../src-main/core/run/shell-env.js';

const root = mkdtempSync(join(tmpdir(), 'beacon-shellenv-'));
const home = join(root, 'home');
mkdirSync(join(home, '.local', 'bin'), { recursive: true });
mkdirSync(join(home, '.nvm', 'versions', 'node', 'v18.2.0', 'bin'), { recursive: true });
mkdirSync(join(home, '.nvm', 'versions', 'node', 'v20.11.1', 'bin'), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** PATH as expected: the given folders, then the install folders that exist (system ones depend on the machine). */
function withInstallFolders(...first: string[]): string {
  const system = ['/opt/homebrew/bin', '/usr/local/bin'].filter((f) => existsSync(f) && !first.includes(f));
  return [...first, join(home, '.local', 'bin'), ...system, join(home, '.nvm', 'versions', 'node', 'v20.11.1', 'bin')].join(':');
}

function shellScript(name: string, body: string): string {
  const path = join(root, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('loginShellEnvironment', () => {
  it('BEACON_LOGIN_SHELL=0 uses the given environment as is', async () => {
    const env = { BEACON_LOGIN_SHELL: '0', PATH: '/usr/bin:/bin', HOME: home, FOO: 'bar' };
    expect(await loginShellEnvironment(env)).toEqual(env);
  });

  it('reads the environment a login shell prints (multi-line values too), appends install folders, caches', async () => {
    // A stand-in login shell: sets what a user's rc files would set, then runs the -c script with /bin/sh.
    const shell = shellScript('fake-login-shell', `export FROM_RC='line1\nline2'\nexport PATH=/rc/bin:/usr/bin:/bin\nshift\nexec /bin/sh -c "$1"`);
    const env = { PATH: '/usr/bin:/bin', HOME: home, SHELL: shell };
    const result = await loginShellEnvironment(env);
    expect(result.FROM_RC).toBe('line1\nline2');
    expect(result.PATH).toBe(withInstallFolders('/rc/bin', '/usr/bin', '/bin'));
    result.FROM_RC = 'changed';
    expect((await loginShellEnvironment(env)).FROM_RC).toBe('line1\nline2');
  });

  it('falls back to this environment plus install folders when the shell hangs or fails', async () => {
    const hanging = shellScript('hanging-shell', 'sleep 30');
    const started = Date.now();
    const result = await loginShellEnvironment({ PATH: '/usr/bin:/bin', HOME: home, SHELL: hanging, MARK: 'fallback' }, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.MARK).toBe('fallback');
    expect(result.PATH).toBe(withInstallFolders('/usr/bin', '/bin'));
    const failing = await loginShellEnvironment({ PATH: '/usr/bin', HOME: home, SHELL: join(root, 'no-such-shell'), MARK: 'x' });
    expect(failing.MARK).toBe('x');
  });

  it('reports how the environment was obtained: resolved (with the time), timed out and skipped, failed, or off', async () => {
    const quick = shellScript('quick-shell', 'shift\nexec /bin/sh -c "$1"');
    const resolved = await loginShellReport({ PATH: '/usr/bin:/bin', HOME: home, SHELL: quick });
    expect(resolved).toMatchObject({ state: 'resolved', shell: quick });
    expect(resolved.ms).toBeGreaterThanOrEqual(0);
    const hanging = shellScript('hanging-shell-2', 'sleep 30');
    const timedOut = await loginShellReport({ PATH: '/usr/bin:/bin', HOME: home, SHELL: hanging }, { timeoutMs: 300 });
    expect(timedOut).toMatchObject({ state: 'timed_out', shell: hanging });
    expect(timedOut.ms).toBeGreaterThanOrEqual(300);
    expect(await loginShellReport({ PATH: '/usr/bin', HOME: home, SHELL: join(root, 'no-such-shell') })).toMatchObject({ state: 'failed' });
    expect(await loginShellReport({ BEACON_LOGIN_SHELL: '0', PATH: '/usr/bin' })).toEqual({ state: 'off', shell: null, ms: null });
  });

  it('parses only what is between the markers', () => {
    expect(parseBetweenMarkers('motd noise\nM\nPATH=/a\nX=1\nM\nbye', 'M')).toEqual({ PATH: '/a', X: '1' });
    expect(parseBetweenMarkers('no markers', 'M')).toBeNull();
  });
});

describe('agentEnvironment', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/home/u',
    SSH_AUTH_SOCK: '/tmp/agent.sock',
    LANG: 'en_US.UTF-8',
    SUPABASE_SERVICE_ROLE_KEY: 's1',
    SUPABASE_URL: 'https://x.supabase.co',
    BEACON_SUPABASE_KEY: 's2',
    BEACON_MENTU_PROXY_TOKEN: 's3',
    MENTU_PROXY_TOKEN: 's4',
    MENTU_API_KEY: 's5',
    OPENAI_API_KEY: 's6',
    STRIPE_SECRET: 's7',
    DB_PASSWORD: 's8',
    AWS_ACCESS_KEY_ID: 's9',
    GITHUB_TOKEN: 's10',
    DATABASE_URL: 'postgres://u:pw@h/db',
    OTHER_URL: 'https://user:pw@example.com/x',
    CLAUDE_CODE_OAUTH_TOKEN: 'keep-1',
    ANTHROPIC_API_KEY: 'keep-2',
    MENTU_WORKSPACE_ID: 'stale',
  };

  it('drops every secret-looking variable except the agent’s own authentication, and sets the MENTU_* variables', () => {
    const env = agentEnvironment(base, { commandId: 'cmd-1', workspaceId: 'ws-1', extra: { MENTU_COMMITMENT: 'cmt_1' } });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      SSH_AUTH_SOCK: '/tmp/agent.sock',
      LANG: 'en_US.UTF-8',
      CLAUDE_CODE_OAUTH_TOKEN: 'keep-1',
      ANTHROPIC_API_KEY: 'keep-2',
      MENTU_BRIDGE_COMMAND_ID: 'cmd-1',
      MENTU_WORKSPACE_ID: 'ws-1',
      MENTU_ACTOR: 'agent:executor',
      MENTU_COMMITMENT: 'cmt_1',
    });
    const noWorkspace = agentEnvironment(base, { commandId: 'cmd-2', workspaceId: null });
    expect(noWorkspace.MENTU_WORKSPACE_ID).toBeUndefined();
  });

  it('classifies names and values', () => {
    expect(isSecretVariable('NPM_TOKEN', 'x')).toBe(true);
    expect(isSecretVariable('MY_SECRET_KEY_FILE', 'x')).toBe(true);
    expect(isSecretVariable('PATH', '/usr/bin')).toBe(false);
    expect(isSecretVariable('KEYCHAIN_PROFILE', 'x')).toBe(false);
    expect(isSecretVariable('REDIS_URL', 'redis://:hunter2@localhost:6379')).toBe(true);
    expect(isSecretVariable('HOMEPAGE', 'https://example.com/a:b')).toBe(false);
  });
});
