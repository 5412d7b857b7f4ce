import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mentuPaths } from '../../src-main/core/paths.js';
import { createHeadlessSecretStore } from '../../src-main/core/secrets.js';

const homes: string[] = [];
function freshPaths() {
  const home = mkdtempSync(join(tmpdir(), 'beacon-secrets-'));
  homes.push(home);
  return mentuPaths({ MENTU_HOME: home });
}
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

describe('headless secret store', () => {
  it('prefers BEACON_SUPABASE_KEY, then SUPABASE_SERVICE_ROLE_KEY, then the file', async () => {
    const paths = freshPaths();
    const fileStore = createHeadlessSecretStore(paths, {});
    await fileStore.set('supabase_key', 'from-file-0123456789');
    expect(await fileStore.get('supabase_key')).toBe('from-file-0123456789');
    expect(await createHeadlessSecretStore(paths, { SUPABASE_SERVICE_ROLE_KEY: 'service-env' }).get('supabase_key')).toBe('service-env');
    const both = createHeadlessSecretStore(paths, { SUPABASE_SERVICE_ROLE_KEY: 'service-env', BEACON_SUPABASE_KEY: 'beacon-env' });
    expect(await both.get('supabase_key')).toBe('beacon-env');
    expect(both.describe()).toContain('BEACON_SUPABASE_KEY');
    expect(both.describe()).not.toContain('beacon-env');
    expect(await createHeadlessSecretStore(paths, { BEACON_MENTU_PROXY_TOKEN: 'proxy-tok' }).get('mentu_proxy_token')).toBe('proxy-tok');
  });

  it('writes the file owner-only and never copies values into the environment', async () => {
    const paths = freshPaths();
    const env: NodeJS.ProcessEnv = {};
    const store = createHeadlessSecretStore(paths, env);
    await store.set('mentu_proxy_token', 'token-abcdefgh');
    await store.set('supabase_key', 'key-abcdefgh');
    expect(statSync(paths.secrets).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(paths.secrets, 'utf8'))).toEqual({ mentu_proxy_token: 'token-abcdefgh', supabase_key: 'key-abcdefgh' });
    expect(env).toEqual({});
    expect(Object.values(process.env)).not.toContain('key-abcdefgh');
    await store.delete('supabase_key');
    expect(await store.get('supabase_key')).toBeNull();
    expect(await store.get('mentu_proxy_token')).toBe('token-abcdefgh');
  });

  it('refuses a group- or world-readable file with the command that fixes it', async () => {
    const paths = freshPaths();
    writeFileSync(paths.secrets, JSON.stringify({ supabase_key: 'leaky-key-123456' }), { mode: 0o644 });
    chmodSync(paths.secrets, 0o644);
    const store = createHeadlessSecretStore(paths, {});
    await expect(store.get('supabase_key')).rejects.toThrow(`chmod 600 ${paths.secrets}`);
    await expect(store.get('supabase_key')).rejects.not.toThrow('leaky-key');
    chmodSync(paths.secrets, 0o640);
    await expect(store.get('supabase_key')).rejects.toThrow(/mode 640/);
    chmodSync(paths.secrets, 0o600);
    expect(await store.get('supabase_key')).toBe('leaky-key-123456');
  });

  it('returns null when nothing is stored', async () => {
    expect(await createHeadlessSecretStore(freshPaths(), {}).get('supabase_key')).toBeNull();
  });
});
