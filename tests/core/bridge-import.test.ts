import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src-main/core/config/schema.js';
import { mentuPaths } from '../../src-main/core/paths.js';
import { agentFromBridge, planBridgeImport } from '../../src-main/core/bridge-import.js';

const run = promisify(execFile);
const CLI = resolve('dist-cli/beacon.cjs');
const WS = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';

const jwt = (role: string) =>
  [
    Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
    Buffer.from(JSON.stringify({ iss: 'supabase', role, ref: 'abcdefghijklmnop' })).toString('base64url'),
    'c2lnbmF0dXJlLW5vdC1jaGVja2VkLWhlcmUtMTIzNDU2Nzg5MA',
  ].join('.');
const SERVICE_KEY = jwt('service_role');
const PROXY_TOKEN = 'mentu-proxy-token-7f3e9a2b4c6d8e0f';
const ACCESS_TOKEN = 'user-access-token-aaaaaaaabbbbbbbb';
const REFRESH_TOKEN = 'user-refresh-token-ccccccccdddddddd';

function bridgeYaml(anonKey = SERVICE_KEY): string {
  return `# the Bridge's config
machine:
  id: macbook-rashid
  name: MacBook Pro
workspace:
  id: ${WS}
supabase:
  url: https://abcdefghijklmnop.supabase.co
  anonKey: ${anonKey}
mentu:
  proxy_url: https://mentu-proxy.example.workers.dev
  api_key: ${PROXY_TOKEN}
execution:
  allowed_directories: [/Users/rashid/Projects, /srv/repos]
  default_timeout_seconds: 1800
  max_output_bytes: 5242880
agents:
  claude:
    path: /opt/homebrew/bin/claude
    default_flags: [--dangerously-skip-permissions]
  bash:
    path: /bin/bash
    default_flags: [-c]
`;
}

const homes: string[] = [];
afterEach(() => {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function home(anonKey?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-parity-import-'));
  homes.push(dir);
  writeFileSync(join(dir, 'bridge.yaml'), bridgeYaml(anonKey));
  writeFileSync(
    join(dir, 'credentials'),
    JSON.stringify({ cloud: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, expiresAt: '2030-01-01T00:00:00Z', userId: 'u', email: 'rashid@example.com' } }),
    { mode: 0o600 },
  );
  return dir;
}

function beacon(mentuHome: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, MENTU_HOME: mentuHome, BEACON_HOSTNAME: 'Rashids-Mini.local' };
  return run(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
}

const SECRETS = [SERVICE_KEY, PROXY_TOKEN, ACCESS_TOKEN, REFRESH_TOKEN];

describe('beacon init --from-bridge', () => {
  it('--dry-run shows the import and writes nothing', async () => {
    const dir = home();
    const { stdout } = await beacon(dir, 'init', '--from-bridge', '--dry-run');
    expect(stdout).toContain('Dry run: nothing is written.');
    expect(stdout).toContain('machine.id: beacon-rashids-mini');
    expect(stdout).toContain(`supabase.workspace_ids: ["${WS}"]`);
    expect(stdout).toContain('secret supabase_key (from bridge.yaml supabase.anonKey)');
    expect(stdout).toContain('secret mentu_proxy_token (from bridge.yaml mentu.api_key)');
    for (const secret of SECRETS) expect(stdout).not.toContain(secret);
    expect(existsSync(join(dir, 'beacon.yaml'))).toBe(false);
    expect(existsSync(mentuPaths({ MENTU_HOME: dir }).secrets)).toBe(false);
  });

  it('writes beacon.yaml without secrets, stores the keys owner-only, keeps beacon-<hostname>', async () => {
    const dir = home();
    const { stdout } = await beacon(dir, 'init', '--from-bridge');
    for (const secret of SECRETS) expect(stdout).not.toContain(secret);
    expect(stdout).toContain("The Bridge's machine id macbook-rashid is not reused: this Beacon is beacon-rashids-mini.");

    const text = readFileSync(join(dir, 'beacon.yaml'), 'utf8');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain('macbook-rashid');
    const config = configSchema.parse(parseYaml(text));
    expect(config.machine.id).toBe('beacon-rashids-mini');
    expect(config.supabase).toMatchObject({ url: 'https://abcdefghijklmnop.supabase.co', workspace_ids: [WS], auth: 'service_role' });
    expect(config.execution).toMatchObject({
      allowed_directories: ['/Users/rashid/Projects', '/srv/repos'],
      default_timeout_seconds: 1800,
      max_output_bytes: 5242880,
    });
    expect(config.agents.claude).toEqual({
      command: '/opt/homebrew/bin/claude',
      args: ['--dangerously-skip-permissions', '-p', '--output-format', 'stream-json', '--verbose', '--', '{prompt}'],
      output: 'stream-json',
    });
    expect(config.agents.bash).toEqual({ command: '/bin/bash', args: ['-c', '{prompt}'], output: 'text' });
    expect(config.mentu.proxy_url).toBe('https://mentu-proxy.example.workers.dev');

    const secretsFile = mentuPaths({ MENTU_HOME: dir }).secrets;
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(secretsFile, 'utf8'))).toEqual({ supabase_key: SERVICE_KEY, mentu_proxy_token: PROXY_TOKEN });
    // The login session's tokens stay in ~/.mentu/credentials only.
    expect(readFileSync(secretsFile, 'utf8')).not.toContain(ACCESS_TOKEN);
  });

  it('merges into an existing beacon.yaml, keeping its comments, its machine id and its workspaces', async () => {
    const dir = home();
    const other = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    writeFileSync(
      join(dir, 'beacon.yaml'),
      `# my own notes about this machine\nmachine:\n  id: beacon-studio # named before the rename\nsupabase:\n  workspace_ids: ["${other}"]\n`,
    );
    await beacon(dir, 'init', '--from-bridge');
    const text = readFileSync(join(dir, 'beacon.yaml'), 'utf8');
    expect(text).toContain('# my own notes about this machine');
    expect(text).toContain('# named before the rename');
    const config = configSchema.parse(parseYaml(text));
    expect(config.machine.id).toBe('beacon-studio');
    expect(config.supabase.workspace_ids).toEqual([other, WS]);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('explains a missing bridge.yaml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-parity-import-empty-'));
    homes.push(dir);
    const failed = await beacon(dir, 'init', '--from-bridge').then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`No Bridge config at ${join(dir, 'bridge.yaml')}: there is nothing to import.`);
  });
});

describe('the import plan', () => {
  it('does not store a key that says it is an anon key, and falls back to the login session', () => {
    const dir = home(jwt('anon'));
    const plan = planBridgeImport(mentuPaths({ MENTU_HOME: dir }), { BEACON_HOSTNAME: 'box' });
    expect(plan.secrets.map((s) => s.name)).toEqual(['mentu_proxy_token']);
    expect(plan.warnings.join('\n')).toContain('is an anon key');
    expect(plan.changes).toContainEqual({ path: ['supabase', 'auth'], value: 'session' });
    expect(plan.machineId).toBe('beacon-box');
  });

  it('maps Bridge agents to Beacon profiles', () => {
    expect(agentFromBridge('claude', { path: '/usr/local/bin/claude', default_flags: ['--model', 'opus', '--output-format', 'text'] })).toEqual({
      command: '/usr/local/bin/claude',
      args: ['--model', 'opus', '--output-format', 'text', '-p', '--', '{prompt}'],
      output: 'text',
    });
    expect(agentFromBridge('codex', { path: '/usr/bin/codex', default_flags: ['exec'] })).toEqual({
      command: '/usr/bin/codex',
      args: ['exec', '{prompt}'],
      output: 'text',
    });
    expect(agentFromBridge('claude', { default_flags: [] })).toBeNull();
  });
});
