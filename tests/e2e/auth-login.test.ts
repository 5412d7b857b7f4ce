import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readCredentialsFile } from '../../src-main/core/auth/credentials-file.js';
import type { Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import type { BeaconSandbox } from '../support/beacon-sandbox.js';
import { useBeaconSandboxes } from '../support/sandbox-hooks.js';
import { CLI, runCli as runBeacon } from '../support/cli.js';
import { cloudOf, writeMentuCredentials } from '../support/mentu-session.js';
import { followSignIn } from '../support/sign-in-browser.js';
import { addWorkspaceMember, commandRow, insertCommand, OTHER_WS, USER, WS } from '../support/source-driver.js';
import { waitFor } from '../support/wait.js';

/**
 * `beacon login` headless: the URL is printed, a browser goes through the gateway's OAuth redirect to the
 * loopback callback, the session is kept (owner-only secrets file, and ~/.mentu/credentials for `mentu`), the
 * user's workspace is chosen; a running executor takes the new sign-in up without a restart. `--token` for CI.
 */

let gateway: Gateway;
useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);
const runCli = (box: BeaconSandbox, args: string[]) => runBeacon(args, { env: box.env, cwd: box.work });
const logins: ChildProcess[] = [];
afterEach(() => {
  for (const child of logins.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

const EMAIL = 'member@example.com';

function signedOutSandbox(machineId: string, workspaceIds: string[] = []): BeaconSandbox {
  return beacons.sandbox({ machineId, supabase: { auth: 'session', workspace_ids: workspaceIds }, env: { BEACON_SUPABASE_KEY: '', SUPABASE_ANON_KEY: gateway.anonKey } });
}

/** `beacon login` in the background, with its output as it comes. */
function startLogin(box: BeaconSandbox, args: string[] = []): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'login', ...args], { env: box.env, cwd: box.work, stdio: ['ignore', 'pipe', 'pipe'] });
  logins.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  return { child, stdout: () => out, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

const supabaseConfig = (box: BeaconSandbox) => (parse(readFileSync(join(box.home, 'beacon.yaml'), 'utf8')) as { supabase: { auth: string; workspace_ids: string[] } }).supabase;

describe('beacon login', () => {
  it('prints the URL, signs in through the browser and the loopback callback, keeps the session for beacon and mentu, and a running executor takes it up', async () => {
    await addWorkspaceMember(gateway);
    gateway.auth.createUser(EMAIL, USER);
    gateway.auth.setProviderUser({ email: EMAIL });
    const box = signedOutSandbox('beacon-login-a');
    const run = beacons.start(box);
    await run.ready;
    const before = JSON.parse((await runCli(box, ['status', '--json'])).stdout) as { auth: { connection: { state: string; detail: string } } };
    expect(before.auth.connection).toMatchObject({ state: 'auth_failed' });
    expect(before.auth.connection.detail).toMatch(/^Not signed in to Mentu: sign in/);

    const login = startLogin(box);
    const url = await waitFor('the URL to open', () => /Open this URL in a browser to sign in to Mentu:\s+(\S+)/.exec(login.stdout())?.[1], 10_000);
    const callback = /come back to (http:\/\/127\.0\.0\.1:\d+\/callback)/.exec(login.stdout())![1]!;
    const browser = await followSignIn(url, callback, true);
    expect(browser.hops).toEqual(['/auth/v1/authorize', '/_idp/login/oauth/authorize', '/auth/v1/callback', '/callback']);
    expect(browser.status).toBe(200);
    expect(browser.body).toContain(`Welcome, ${EMAIL}`);
    expect(await login.exited).toBe(0);
    expect(login.stdout()).toContain(`Signed in as ${EMAIL} (${USER})`);
    expect(login.stdout()).toContain(`* ${WS}`);
    // Beacon's own copy (the owner-only secrets file headless) and mentu's file, in mentu's format.
    const shared = readCredentialsFile(join(box.home, 'credentials'))!;
    expect(shared).toMatchObject({ userId: USER, email: EMAIL });
    expect((JSON.parse(readFileSync(join(box.home, 'credentials'), 'utf8')) as { cloud: { expiresAt: unknown } }).cloud.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(statSync(join(box.home, 'credentials')).mode & 0o777).toBe(0o600);
    const own = JSON.parse(readFileSync(join(box.home, 'beacon-secrets.json'), 'utf8')) as { mentu_session: string };
    expect(JSON.parse(own.mentu_session)).toMatchObject({ accessToken: shared.accessToken, refreshToken: shared.refreshToken });
    expect(supabaseConfig(box)).toMatchObject({ auth: 'session', workspace_ids: [WS] });
    // The executor that was waiting picks the sign-in up (the workspace choice needs a restart, as any source change).
    await waitFor('signed in without a restart', async () => (JSON.parse((await runCli(box, ['status', '--json'])).stdout) as { auth: { auth: { state: string } } }).auth.auth.state === 'signed_in', 10_000, 300);
    expect(run.child.exitCode).toBeNull();
  }, 90_000);

  it('--token for CI, --workspace checked against the user\'s memberships, and a mentu-written session used both ways', async () => {
    await addWorkspaceMember(gateway);
    gateway.auth.createUser(EMAIL, USER);
    const box = signedOutSandbox('beacon-login-b');
    const token = gateway.auth.signIn(EMAIL).access_token;
    const refused = await runCli(box, ['login', '--token', token, '--workspace', OTHER_WS]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${EMAIL} is not a member of workspace ${OTHER_WS}`);
    const ok = await runCli(box, ['login', '--token', token, '--workspace', WS, '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ success: true, email: EMAIL, userId: USER, workspaces: [{ id: WS, selected: true }] });
    expect(readCredentialsFile(join(box.home, 'credentials'))).toMatchObject({ accessToken: token, refreshToken: null });
    const run = beacons.start(box);
    await run.ready;
    const id = await insertCommand(gateway, { prompt: '@agent lines=1', working_directory: box.work });
    await waitFor('completed with the --token session', async () => (await commandRow(gateway, id)).status === 'completed', 20_000);
    await run.stop();
    // `mentu login` on the same machine later: its session wins (it is newer) and Beacon uses it.
    await new Promise((r) => setTimeout(r, 1100)); // a later second, so the new token is told apart by its iat
    const fromMentu = gateway.auth.signIn(EMAIL);
    writeMentuCredentials(box.home, cloudOf(fromMentu));
    const status = JSON.parse((await runCli(box, ['status', '--json'])).stdout) as { auth: { auth: { state: string; expiresAt: string } } };
    expect(status.auth.auth).toMatchObject({ state: 'signed_in', expiresAt: new Date(fromMentu.expires_at * 1000).toISOString() });
    const out = await runCli(box, ['logout']);
    expect(out.stdout).toContain(`Signed out ${EMAIL}`);
    expect(readCredentialsFile(join(box.home, 'credentials'))).toBeNull();
    const refresh = await fetch(`${gateway.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST', headers: { apikey: gateway.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: fromMentu.refresh_token }),
    });
    expect(refresh.status).toBe(400);
  }, 90_000);
});
