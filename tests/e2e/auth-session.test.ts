import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuthSession, Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import type { BeaconSandbox } from '../support/beacon-sandbox.js';
import { useBeaconSandboxes } from '../support/sandbox-hooks.js';
import { runCli as runBeacon, STACK_LINE } from '../support/cli.js';
import { cloudOf, writeMentuCredentials } from '../support/mentu-session.js';
import { addWorkspaceMember, commandRow, insertCommand, USER, WS } from '../support/source-driver.js';
import { waitFor } from '../support/wait.js';

/**
 * `beacon run`, `beacon status` and `beacon doctor` with a Mentu session (auth: session) against the gateway's
 * GoTrue subset, one test per way a session really breaks (issue 17's "Why" list). Each of them fails on the
 * Beacon before core/auth: run with BEACON_TEST_CLI=<main's dist-cli/beacon.cjs> to see it.
 */

let gateway: Gateway;
useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);
const runCli = (box: BeaconSandbox, args: string[]) => runBeacon(args, { env: box.env, cwd: box.work });

const MEMBER_EMAIL = 'member@example.com';

/** A workspace member's session, issued by the gateway as a sign-in would. */
async function memberSession(): Promise<AuthSession> {
  await addWorkspaceMember(gateway);
  gateway.auth.createUser(MEMBER_EMAIL, USER);
  return gateway.auth.signIn(MEMBER_EMAIL);
}

function sessionSandbox(machineId: string, cloud: Record<string, unknown> | null, extra: { supabase?: Record<string, unknown> } = {}): BeaconSandbox {
  // The anon key through SUPABASE_ANON_KEY (supabase.anon_key_env), which Beacon read before core/auth as well.
  const box = beacons.sandbox({ machineId, supabase: { auth: 'session', ...extra.supabase }, env: { BEACON_SUPABASE_KEY: '', SUPABASE_ANON_KEY: gateway.anonKey } });
  if (cloud) writeMentuCredentials(box.home, cloud);
  return box;
}

interface StatusJson {
  auth?: {
    mode: string;
    checkedBy: string;
    error: string | null;
    connection: { state: string; detail: string | null; pendingWrites: number } | null;
    auth: { state: string; problem: string | null; user: { id: string; email: string } | null; role: string | null; expiresAt: string | null; workspaces: { id: string; member: boolean | null }[]; machineRegistered: boolean | null } | null;
  };
}

async function status(box: BeaconSandbox): Promise<StatusJson> {
  const result = await runCli(box, ['status', '--json']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StatusJson;
}

const statusOf = async (id: string) => (await commandRow(gateway, id)).status as string;
const resultRows = async (id: string) => (await gateway.sql('select * from public.bridge_results where command_id = $1', [id])).rows;
const logText = async (id: string) => (await gateway.sql<{ message: string }>('select message from public.spawn_logs where command_id = $1 order by ts', [id])).rows.map((r) => r.message).join('');

describe('a session that lives, with beacon run', () => {
  it('start-up with a token inside the refresh margin and the auth endpoint down: starts, runs commands with the valid token, no stack trace', async () => {
    await addWorkspaceMember(gateway);
    gateway.auth.createUser(MEMBER_EMAIL, USER);
    // An hour-long token issued 58 minutes ago (the machine slept): two minutes left, inside the 5-minute margin.
    const session = gateway.auth.signIn(MEMBER_EMAIL, { issuedSecondsAgo: 58 * 60 });
    gateway.faults.auth({ mode: 'down' });
    const box = sessionSandbox('beacon-auth-margin', cloudOf(session));
    const run = beacons.start(box);
    await run.ready;
    const id = await insertCommand(gateway, { prompt: '@agent lines=2', working_directory: box.work });
    await waitFor('completed with the still-valid token', async () => (await statusOf(id)) === 'completed', 20_000);
    const report = await status(box);
    expect(report.auth?.checkedBy).toBe('executor');
    expect(report.auth?.connection?.state).toBe('connected');
    expect(report.auth?.auth?.state).toBe('unreachable');
    expect(run.stderr()).not.toMatch(STACK_LINE);
    expect(run.stderr()).not.toContain('unexpected error');
  }, 60_000);

  it('a refused refresh is auth_failed with "sign in again" at once; a new login resumes it without a restart and the outbox delivers', async () => {
    gateway.auth.configure({ accessTokenSeconds: 8 });
    const session = await memberSession();
    gateway.auth.signOutEverywhere(USER); // the refresh token is dead: the renewal at 3/4 of the life is refused
    const box = sessionSandbox('beacon-auth-refused', cloudOf(session));
    const run = beacons.start(box);
    await run.ready;
    const id = await insertCommand(gateway, { prompt: '@agent lines=10 interval=1000', working_directory: box.work });
    await waitFor('running', async () => (await statusOf(id)) === 'running', 10_000);
    await waitFor('auth_failed', async () => (await status(box)).auth?.connection?.state === 'auth_failed', 15_000, 300);
    const failed = await status(box);
    expect(failed.auth?.connection?.detail).toContain('sign in again');
    expect(failed.auth?.auth?.state).toBe('refused');
    // The token expires during the run: the end of the run waits in the outbox, the row stays running for now.
    await waitFor('the agent finished', () => run.stderr().includes(`finished ${id} status=completed`), 25_000, 200);
    expect(Date.now()).toBeGreaterThan(session.expires_at * 1000);
    await waitFor('the result queued', async () => ((await status(box)).auth?.connection?.pendingWrites ?? 0) > 0, 10_000, 300);
    expect(await statusOf(id)).toBe('running');
    // `mentu login` writes a new session; Beacon takes it up by itself.
    gateway.auth.configure({ accessTokenSeconds: 3600 });
    writeMentuCredentials(box.home, cloudOf(gateway.auth.signIn(MEMBER_EMAIL)));
    await waitFor('completed after the new login', async () => (await statusOf(id)) === 'completed', 30_000);
    await waitFor('one result row', async () => (await resultRows(id)).length === 1, 10_000);
    expect(await logText(id)).toContain('working 10/10');
    await waitFor('connected again', async () => (await status(box)).auth?.connection?.state === 'connected', 15_000, 300);
    expect(run.child.exitCode).toBeNull();
    expect(run.stderr()).not.toMatch(STACK_LINE);
  }, 120_000);

  it('without expiresAt, the token\'s exp is used: renewed ahead, and a command run across the expiry loses nothing', async () => {
    gateway.auth.configure({ accessTokenSeconds: 6 });
    const session = await memberSession();
    const box = sessionSandbox('beacon-auth-noexp', cloudOf(session, { expiresAt: undefined }));
    const run = beacons.start(box);
    await run.ready;
    const id = await insertCommand(gateway, { prompt: '@agent lines=12 interval=1000', working_directory: box.work });
    await waitFor('completed', async () => (await statusOf(id)) === 'completed', 40_000);
    await waitFor('one result row', async () => (await resultRows(id)).length === 1, 10_000);
    expect((await resultRows(id))[0]).toMatchObject({ status: 'success', exit_code: 0 });
    expect(await logText(id)).toContain('working 12/12');
    expect(gateway.auth.stats.grants.refresh_token).toBeGreaterThanOrEqual(2);
    expect(gateway.auth.stats.refused).toBe(0);
    expect(run.stderr()).not.toMatch(/JWT expired/);
  }, 90_000);

  it('the auth endpoint down across an expiry with a command running: realtime closes for the expired token, everything arrives after it returns, no restart', async () => {
    gateway.auth.configure({ accessTokenSeconds: 5 });
    const session = await memberSession();
    // A long poll period: only realtime (and the catch-up of a rejoin) can find the second command.
    const box = sessionSandbox('beacon-auth-across', cloudOf(session), { supabase: { poll_seconds: 600 } });
    const run = beacons.start(box);
    await run.ready;
    const id = await insertCommand(gateway, { prompt: '@agent lines=12 interval=1000', working_directory: box.work });
    await waitFor('running', async () => (await statusOf(id)) === 'running', 10_000);
    gateway.faults.auth({ mode: 'down', untilMs: 9000 });
    const joinsBefore = gateway.stats.joins;
    await waitFor('completed once the auth server is back', async () => (await statusOf(id)) === 'completed', 45_000);
    await waitFor('one result row', async () => (await resultRows(id)).length === 1, 10_000);
    expect(await logText(id)).toContain('working 12/12');
    expect(gateway.stats.joins).toBeGreaterThan(joinsBefore);
    const next = await insertCommand(gateway, { prompt: '@agent lines=1', working_directory: box.work });
    await waitFor('the next command picked up through realtime', async () => (await statusOf(next)) === 'completed', 20_000);
    expect(run.child.exitCode).toBeNull();
    expect(run.stderr()).not.toMatch(STACK_LINE);
  }, 120_000);
});

describe('diagnostics that name the cause', () => {
  it('a user who is not a member of the workspace: doctor and status say so, while a command waits', async () => {
    const stranger = gateway.auth.signIn('stranger@example.com');
    const box = sessionSandbox('beacon-auth-stranger', cloudOf(stranger));
    await insertCommand(gateway, { working_directory: box.work });
    const doctor = await runCli(box, ['doctor']);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain(`stranger@example.com is not a member of workspace ${WS}`);
    expect(doctor.stdout).not.toContain('No problems found');
    const report = await status(box);
    expect(report.auth?.auth).toMatchObject({ state: 'signed_in', user: { id: stranger.user.id, email: 'stranger@example.com' }, workspaces: [{ id: WS, member: false }] });
    const text = await runCli(box, ['status']);
    expect(text.stdout).toMatch(/Auth: +session: stranger@example.com/);
    expect(text.stdout).toContain(`${WS}: NOT a member`);
  }, 60_000);

  it('the anon key given as the service-role key: doctor and the running executor say "key has role anon, not service_role"', async () => {
    const box = beacons.sandbox({ machineId: 'beacon-auth-anon', env: { BEACON_SUPABASE_KEY: gateway.anonKey } });
    await insertCommand(gateway, { working_directory: box.work });
    const doctor = await runCli(box, ['doctor']);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain('key has role anon, not service_role');
    const run = beacons.start(box);
    await run.ready;
    await waitFor('auth_failed', async () => (await status(box)).auth?.connection?.state === 'auth_failed', 10_000, 300);
    expect((await status(box)).auth?.connection?.detail).toContain('key has role anon, not service_role');
    expect(run.stderr()).not.toContain(gateway.anonKey);
  }, 60_000);

  it('a credentials file readable by others is refused, and malformed JSON is named by file and position; no stack traces', async () => {
    const session = await memberSession();
    const box = sessionSandbox('beacon-auth-files', cloudOf(session));
    const credentials = join(box.home, 'credentials');
    chmodSync(credentials, 0o644);
    const doctor = await runCli(box, ['doctor']);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain(`Run: chmod 600 ${credentials}`);
    const run = beacons.start(box);
    await run.ready;
    await waitFor('auth_failed', async () => (await status(box)).auth?.connection?.state === 'auth_failed', 10_000, 300);
    expect((await status(box)).auth?.connection?.detail).toContain('readable by other users');
    await run.stop();
    writeFileSync(credentials, '{\n  "cloud": {\n    "accessToken": "abc",,\n  }\n}\n', { mode: 0o600 });
    chmodSync(credentials, 0o600);
    const malformed = await status(box);
    expect(malformed.auth?.auth?.problem).toContain(`${credentials} is not valid JSON (line 3, column 26`);
    const doctor2 = await runCli(box, ['doctor']);
    expect(doctor2.stdout).toContain(`${credentials} is not valid JSON (line 3, column 26`);
    for (const out of [doctor.stdout, doctor.stderr, doctor2.stdout, doctor2.stderr, run.stderr()]) expect(out).not.toMatch(STACK_LINE);
  }, 60_000);
});
