import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctorChecks } from '../../src-main/cli/control/doctor-checks.js';
import { mentuPaths } from '../../src-main/core/paths.js';
import type { Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import { WS } from '../support/source-driver.js';

/** `beacon doctor` on a Mac warns about a service-role key (it bypasses row-level security); on a server it does not. */

let gateway: Gateway;
useGateway((g) => (gateway = g));
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function serviceRoleHome(): { paths: ReturnType<typeof mentuPaths>; env: NodeJS.ProcessEnv } {
  const home = mkdtempSync(join(tmpdir(), 'beacon-doctor-auth-'));
  homes.push(home);
  const config = { machine: { id: 'beacon-doctor-auth' }, command_source: 'supabase', supabase: { url: gateway.url, workspace_ids: [WS], auth: 'service_role' }, agents: { claude: { command: process.execPath, args: ['{prompt}'] } } };
  writeFileSync(join(home, 'beacon.yaml'), JSON.stringify(config));
  const env = { MENTU_HOME: home, HOME: home, BEACON_LOGIN_SHELL: '0', BEACON_SUPABASE_KEY: gateway.serviceRoleKey } as NodeJS.ProcessEnv;
  return { paths: mentuPaths(env), env };
}

describe('doctor and the service role', () => {
  it('warns on a Mac, not on a server', async () => {
    await gateway.sql(`insert into public.workspaces (id, name) values ($1, 'w') on conflict do nothing`, [WS]);
    const { paths, env } = serviceRoleHome();
    const mac = await runDoctorChecks(paths, env, 'darwin');
    const warning = mac.find((c) => c.name === 'service-role key on a desktop');
    expect(warning).toMatchObject({ level: 'warning' });
    expect(warning!.detail).toContain('bypasses every row-level security policy');
    expect(mac.find((c) => c.name === 'sign-in')).toMatchObject({ level: 'ok', detail: 'service_role key' });
    expect(mac.find((c) => c.name === `workspace ${WS} (w)`)).toMatchObject({ level: 'ok', detail: 'exists' });
    const linux = await runDoctorChecks(paths, env, 'linux');
    expect(linux.find((c) => c.name === 'service-role key on a desktop')).toBeUndefined();
  }, 60_000);
});
