import { describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../../../src-main/core/commands/source.js';
import { type Gateway } from '../../../gateway/index.js';
import { commandRow, dashboardClient, insertCommand, newSource, startDriver, tempDir, USER, WS, type Driver } from '../../../support/source-driver.js';
import { useSourceDrivers } from '../../../support/use-source-drivers.js';
import { waitFor } from '../../../support/wait.js';
import { cloudOf, sessionAuthFor, writeMentuCredentials } from '../../../support/mentu-session.js';
import { resolveCommandId } from '../../../../src-main/core/commands/resolve-id.js';
import { setApproval } from '../../../../src-main/core/approvals/decide.js';

/** The Supabase source through the CommandSource port, against the local gateway and the real supabase-js. */

let gateway: Gateway;
const { cleanups, drivers, start: driverFor } = useSourceDrivers((g) => (gateway = g), { member: true });

const subscribed = (driver: Driver) => waitFor('connected', () => driver.source.status().connection === 'connected');

describe('Supabase source', () => {
  it('claims a command inserted while subscribed within a second, streams spawn_logs during the run, writes one result row the dashboard reads', async () => {
    const driver = await driverFor('beacon-flow-a');
    await subscribed(driver);
    const insertedAt = Date.now();
    const id = await insertCommand(gateway, { prompt: 'steps=8 ms=150' });
    const run = await waitFor('the claim', () => driver.runs.find((r) => r.commandId === id), 3000, 10);
    expect(run.claimedAt - insertedAt).toBeLessThan(1000);

    // Output reaches spawn_logs while the command is still running.
    await waitFor('live spawn_logs', async () => {
      const [logs, row] = await Promise.all([
        gateway.sql('select count(*)::int as n from public.spawn_logs where command_id = $1', [id]),
        commandRow(gateway, id),
      ]);
      return (logs.rows[0] as { n: number }).n > 0 && row.status === 'running';
    }, 5000, 20);
    await driver.idle();

    const row = await commandRow(gateway, id);
    expect(row).toMatchObject({ status: 'completed', claimed_by_machine_id: 'beacon-flow-a' });
    expect(row.claimed_at).toBeInstanceOf(Date);
    expect(row.started_at).toBeInstanceOf(Date);
    expect(row.completed_at).toBeInstanceOf(Date);

    // The dashboard's own queries (docs/mentu-schema.md#dashboard), as a workspace member under RLS.
    const web = dashboardClient(gateway);
    const list = await web.from('bridge_commands').select('*').eq('workspace_id', WS).order('created_at', { ascending: false });
    expect(list.error).toBeNull();
    expect(list.data?.map((c: { id: string }) => c.id)).toContain(id);
    const result = await web.from('bridge_results').select('*').eq('command_id', id).single();
    expect(result.error).toBeNull();
    expect(result.data).toMatchObject({ command_id: id, machine_id: 'beacon-flow-a', status: 'success', exit_code: 0, stdout_truncated: false });
    expect(String(result.data.stdout)).toContain(`step 8 of ${id}`);
    expect(new Date(result.data.started_at as string).getTime()).toBe((row.started_at as Date).getTime());
    const machines = await web.from('bridge_machines').select('*').eq('workspace_id', WS);
    expect(machines.error).toBeNull();
    expect(machines.data).toEqual([expect.objectContaining({ id: 'beacon-flow-a', status: expect.stringMatching(/online|busy/), hostname: 'test-host' })]);
    const logs = await web.from('spawn_logs').select('*').eq('command_id', id).order('ts', { ascending: true }).limit(1000);
    expect(logs.error).toBeNull();
    const text = (logs.data ?? []).map((l: { message: string }) => l.message).join('');
    expect(text).toBe(Array.from({ length: 8 }, (_, i) => `step ${i + 1} of ${id}\n`).join(''));
    expect((logs.data ?? []).every((l: { workspace_id: string; stream: string }) => l.workspace_id === WS && l.stream === 'stdout')).toBe(true);
    // Batched: 8 chunks over ~1.2 s become at most ~4 rows a second.
    expect((logs.data ?? []).length).toBeLessThanOrEqual(7);
    await web.removeAllChannels();
  });

  it('never claims a command targeted at another machine, claims one targeted at itself', async () => {
    const driver = await driverFor('beacon-flow-b');
    await subscribed(driver);
    const foreign = await insertCommand(gateway, { target_machine_id: 'beacon-someone-else' });
    const mine = await insertCommand(gateway, { target_machine_id: 'beacon-flow-b' });
    await waitFor('targeted command done', async () => (await commandRow(gateway, mine)).status === 'completed', 5000);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // a poll backstop passes too
    expect(driver.runs.map((r) => r.commandId)).toEqual([mine]);
    expect(await commandRow(gateway, foreign)).toMatchObject({ status: 'pending', claimed_by_machine_id: null });
  });

  it('a cancel written in the database reaches the running command within 5 s; the result row says cancelled', async () => {
    const driver = await driverFor('beacon-flow-c');
    await subscribed(driver);
    const id = await insertCommand(gateway, { prompt: 'steps=200 ms=50' });
    await waitFor('running', async () => (await commandRow(gateway, id)).status === 'running', 5000);
    const cancelAt = Date.now();
    await gateway.sql(`update public.bridge_commands set status = 'cancelled', completed_at = now() where id = $1`, [id]);
    await waitFor('onCancelled', () => driver.cancelled.includes(id), 5000, 10);
    expect(Date.now() - cancelAt).toBeLessThan(5000);
    await driver.idle();
    expect((await commandRow(gateway, id)).status).toBe('cancelled');
    const results = await gateway.sql('select status from public.bridge_results where command_id = $1', [id]);
    expect(results.rows).toEqual([{ status: 'cancelled' }]);
  });

  it('a finish after a user cancel never overwrites it and writes no result row', async () => {
    const source = newSource(gateway, 'beacon-flow-d', tempDir('beacon-outbox-', cleanups));
    const driver = await startDriver(source, 'beacon-flow-d', () => ({ ok: false, reason: 'held for the test', claimAndFail: false }));
    drivers.push(driver);
    const id = await insertCommand(gateway);
    const claimed = await source.claimNext(() => ({ ok: true }));
    expect(claimed?.id).toBe(id);
    expect(await source.markRunning(id, new Date().toISOString())).toBe(true);
    await gateway.sql(`update public.bridge_commands set status = 'cancelled' where id = $1`, [id]);
    const now = new Date().toISOString();
    const wrote = await source.finish(id, { status: 'completed', exitCode: 0, errorMessage: null, summary: null, stdoutTail: 'x', stdoutTruncated: false, stderr: '', stderrTruncated: false, startedAt: now, completedAt: now });
    expect(wrote).toBe(false);
    expect((await commandRow(gateway, id)).status).toBe('cancelled');
    expect((await gateway.sql('select 1 from public.bridge_results where command_id = $1', [id])).rowCount).toBe(0);
  });

  it('claims through the conditional PATCH when claim_bridge_command is missing', async () => {
    await gateway.sql('drop function public.claim_bridge_command(text, uuid[], text[], uuid[])');
    try {
      const patchesBefore = gateway.stats.requests['PATCH /rest/v1/bridge_commands'] ?? 0;
      const driver = await driverFor('beacon-flow-e');
      await subscribed(driver);
      const ids = [await insertCommand(gateway), await insertCommand(gateway), await insertCommand(gateway)];
      for (const id of ids) await waitFor(`${id} completed`, async () => (await commandRow(gateway, id)).status === 'completed', 8000);
      expect(driver.runs.map((r) => r.commandId).sort()).toEqual([...ids].sort());
      expect(gateway.stats.requests['POST /rest/v1/rpc/claim_bridge_command']).toBeGreaterThanOrEqual(1);
      // claim + running + finish for each command, all conditional PATCHes.
      expect((gateway.stats.requests['PATCH /rest/v1/bridge_commands'] ?? 0) - patchesBefore).toBeGreaterThanOrEqual(9);
    } finally {
      await gateway.sql(await functionSource());
    }
  });

  it('recovers orphans: running → failed "executor restarted" with a result row, claimed → pending', async () => {
    const outbox = tempDir('beacon-outbox-', cleanups);
    const first = newSource(gateway, 'beacon-flow-f', outbox);
    await first.start({ machineId: 'beacon-flow-f', agents: ['claude'], workspaceIds: [WS] }, { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} });
    const wasRunning = await insertCommand(gateway);
    const wasClaimed = await insertCommand(gateway);
    const a = await first.claimNext(() => ({ ok: true }));
    const b = await first.claimNext(() => ({ ok: true }));
    expect([a?.id, b?.id]).toEqual([wasRunning, wasClaimed]);
    await first.markRunning(wasRunning, new Date().toISOString());
    await first.stop(); // the process "dies" with both rows still owned

    const second = newSource(gateway, 'beacon-flow-f', outbox);
    await second.start({ machineId: 'beacon-flow-f', agents: ['claude'], workspaceIds: [WS] }, { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} });
    cleanups.push(() => second.stop());
    const recovery = await second.recoverOrphans();
    expect(recovery).toEqual({ failed: [wasRunning], requeued: [wasClaimed] });
    expect(await commandRow(gateway, wasRunning)).toMatchObject({ status: 'failed' });
    expect(await commandRow(gateway, wasClaimed)).toMatchObject({ status: 'pending', claimed_by_machine_id: null, claimed_at: null });
    const result = await gateway.sql('select status, error_message, machine_id from public.bridge_results where command_id = $1', [wasRunning]);
    expect(result.rows).toEqual([{ status: 'failed', error_message: 'executor restarted', machine_id: 'beacon-flow-f' }]);
  });

  it('registers the machine, beats busy while running, goes offline on stop; a failed registration is shown and retried', async () => {
    gateway.faults.restFailures({ status: 503, count: 1 });
    const driver = await driverFor('beacon-flow-g');
    await waitFor('registration retried', async () => (await gateway.sql(`select status from public.bridge_machines where id = 'beacon-flow-g'`)).rows[0], 5000);
    expect(driver.statuses.some((s) => /registration failed/.test(s.detail ?? ''))).toBe(true);
    await driver.source.heartbeat({ busy: true, runningCommandIds: [] });
    expect((await gateway.sql(`select status from public.bridge_machines where id = 'beacon-flow-g'`)).rows[0]).toEqual({ status: 'busy' });
    await driver.source.heartbeat({ busy: false, runningCommandIds: [] });
    drivers.splice(drivers.indexOf(driver), 1);
    await driver.stop();
    const row = (await gateway.sql(`select * from public.bridge_machines where id = 'beacon-flow-g'`)).rows[0]!;
    expect(row).toMatchObject({ status: 'offline', workspace_id: WS, name: 'Test beacon-flow-g', agents_available: ['claude'] });
  });

  it('a command targeted here that cannot run here is claimed and failed with the reason; an untargeted one is left for others', async () => {
    const source = newSource(gateway, 'beacon-flow-i', tempDir('beacon-outbox-', cleanups));
    await source.start({ machineId: 'beacon-flow-i', agents: ['claude'], workspaceIds: [WS] }, { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} });
    cleanups.push(() => source.stop());
    const untargeted = await insertCommand(gateway, { agent: 'nope' });
    const targeted = await insertCommand(gateway, { agent: 'nope', target_machine_id: 'beacon-flow-i' });
    const reason = 'Unknown agent "nope"';
    const claimed = await source.claimNext((c) => (c.agent === 'nope' ? { ok: false, reason, claimAndFail: c.targetMachineId === 'beacon-flow-i' } : { ok: true }));
    expect(claimed).toBeNull();
    expect(await commandRow(gateway, untargeted)).toMatchObject({ status: 'pending', claimed_by_machine_id: null });
    expect(await commandRow(gateway, targeted)).toMatchObject({ status: 'failed', claimed_by_machine_id: 'beacon-flow-i' });
    const results = await gateway.sql('select status, error_message from public.bridge_results where command_id = $1', [targeted]);
    expect(results.rows).toEqual([{ status: 'failed', error_message: reason }]);
  });

  it('enqueue, get, list and requestCancel through the port', async () => {
    const source = newSource(gateway, 'beacon-flow-h', tempDir('beacon-outbox-', cleanups));
    const queued = await source.enqueue({ prompt: 'hello', workingDirectory: '/tmp', targetMachineId: 'beacon-elsewhere', flags: ['--x'] });
    expect(queued).toMatchObject({ status: 'pending', workspaceId: WS, targetMachineId: 'beacon-elsewhere', flags: ['--x'], agent: 'claude' });
    expect((await source.get(queued.id))?.prompt).toBe('hello');
    const nullFlags = await insertCommand(gateway, { flags: null });
    expect((await source.get(nullFlags))?.flags).toEqual([]);
    const listed = await source.list({ limit: 10 });
    expect(listed.map((c) => c.id)).toEqual(expect.arrayContaining([queued.id, nullFlags]));
    expect(await source.requestCancel(queued.id)).toBe(true);
    expect(await source.requestCancel(queued.id)).toBe(false);
    expect((await source.get(queued.id))?.status).toBe('cancelled');
    expect(await source.get('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('an approval decision: the first one stands (a later reject cannot overturn an approve), for Bridge rows with no approval_status too', async () => {
    const source = newSource(gateway, 'beacon-flow-approval', tempDir('beacon-outbox-', cleanups));
    const ours = await insertCommand(gateway, { status: 'awaiting_approval', approval_status: 'pending' });
    const bridges = await insertCommand(gateway, { status: 'awaiting_approval', approval_status: null });
    const [first, second] = await Promise.all([setApproval(source, ours, 'approved'), setApproval(source, ours, 'rejected')]);
    expect([first.ok, second.ok].filter(Boolean)).toHaveLength(1);
    const loser = first.ok ? second : first;
    const winner = first.ok ? 'approved' : 'rejected';
    expect(loser.message).toBe(`Command ${ours} was already ${winner}; the first decision stands`);
    expect((await commandRow(gateway, ours)).approval_status).toBe(winner);
    expect(await setApproval(source, bridges, 'approved')).toEqual({ ok: true, message: `Approved ${bridges}` });
    expect(await setApproval(source, bridges, 'rejected')).toMatchObject({ ok: false });
    expect((await commandRow(gateway, bridges)).approval_status).toBe('approved');
  });

  it('resolves an id from its first characters on a uuid column (a range, since uuids have no LIKE); ambiguous prefixes are refused', async () => {
    const source = newSource(gateway, 'beacon-flow-i', tempDir('beacon-outbox-', cleanups));
    const ids = ['7e57a0c3-0000-4000-8000-000000000001', '7e57a0ff-0000-4000-8000-000000000002', '7e57a0ff-1111-4000-8000-000000000003'];
    for (const id of ids) await insertCommand(gateway, { id });
    expect(await source.findIdsByPrefix('7e57a0ff', 10)).toEqual([ids[1], ids[2]]);
    expect(await source.findIdsByPrefix('7E57A0FF1', 10)).toEqual([ids[2]]); // hyphens optional, any case
    expect(await source.findIdsByPrefix('7e57a0ff-1', 10)).toEqual([ids[2]]);
    expect(await source.findIdsByPrefix('7e57-a0ff', 10)).toEqual([]); // not where a uuid has its hyphens
    expect(await source.findIdsByPrefix('zz57a0', 10)).toEqual([]); // not hex: no query that the database would refuse
    expect(await resolveCommandId(source, '7e57a0c3')).toMatchObject({ ok: true, id: ids[0], command: { id: ids[0] } });
    const ambiguous = await resolveCommandId(source, '7e57a0');
    expect(!ambiguous.ok && ambiguous.reason).toContain('ambiguous');
    // A short or non-uuid id is simply not found (PostgREST would answer 22P02 for it).
    expect(await source.get('7e57a0')).toBeNull();
    const short = await resolveCommandId(source, 'abc');
    expect(!short.ok && short.reason).toMatch(/No command abc/);
  });
});

describe('Supabase source auth', () => {
  it('a clock 10 minutes slow: the server refuses the token first, one refresh and one retry follow, nothing reaches auth_failed', async () => {
    gateway.auth.createUser('member@example.com', USER);
    gateway.auth.configure({ accessTokenSeconds: 3 });
    const home = tempDir('beacon-skew-', cleanups);
    const signedIn = gateway.auth.signIn('member@example.com');
    writeMentuCredentials(home, cloudOf(signedIn));
    gateway.auth.configure({ accessTokenSeconds: 3600 });
    // The session believes its 3-second token has ten more minutes: only the server's 401 can tell it otherwise.
    const { auth } = await sessionAuthFor(gateway, home, { now: () => Date.now() - 10 * 60_000 });
    const source = newSource(gateway, 'beacon-skew', tempDir('beacon-outbox-', cleanups), { auth, pollSeconds: 1 });
    const driver = await startDriver(source, 'beacon-skew');
    drivers.push(driver);
    // By its own (slow) clock the session has ten minutes left: no renewal is due, so any refresh below is the 401's.
    await waitFor('the token expired on the server', () => Date.now() > signedIn.expires_at * 1000 + 200, 6000);
    const id = await insertCommand(gateway);
    await waitFor('completed after one refresh', async () => (await commandRow(gateway, id)).status === 'completed', 15_000);
    expect(gateway.auth.stats.grants.refresh_token).toBe(1);
    expect(gateway.stats.requests['POST /auth/v1/token']).toBe(1);
    expect(driver.statuses.map((s: SourceStatus) => s.connection)).not.toContain('auth_failed');
  }, 60_000);

  it('session mode: a workspace member\'s `mentu login` session claims and runs under RLS, and registers with its user id', async () => {
    const home = tempDir('beacon-session-', cleanups);
    const accessToken = gateway.makeUserJwt(USER, { expiresInSeconds: 3600 });
    writeMentuCredentials(home, { accessToken, refreshToken: 'refresh-token-1', expiresAt: Math.floor(Date.now() / 1000) + 3600, userId: USER, email: 'u@example.com' });
    const { auth } = await sessionAuthFor(gateway, home);
    const source = newSource(gateway, 'beacon-session', tempDir('beacon-outbox-', cleanups), { auth });
    const driver = await startDriver(source, 'beacon-session');
    drivers.push(driver);
    await subscribed(driver);
    const id = await insertCommand(gateway);
    await waitFor('completed under the session', async () => (await commandRow(gateway, id)).status === 'completed', 8000);
    await waitFor('result row', async () => (await gateway.sql('select 1 from public.bridge_results where command_id = $1', [id])).rowCount === 1, 5000);
    expect((await gateway.sql(`select user_id from public.bridge_machines where id = 'beacon-session'`)).rows).toEqual([{ user_id: USER }]);
  });

  it('a refused key shows auth_failed, without the key in the status', async () => {
    const badKey = 'this-is-not-a-valid-service-role-key';
    const source = newSource(gateway, 'beacon-badkey', tempDir('beacon-outbox-', cleanups), { auth: { kind: 'service_role', key: badKey } });
    const driver = await startDriver(source, 'beacon-badkey');
    drivers.push(driver);
    await waitFor('auth_failed', () => source.status().connection === 'auth_failed', 5000);
    expect(JSON.stringify(driver.statuses)).not.toContain(badKey);
    await insertCommand(gateway);
    await expect(source.claimNext(() => ({ ok: true }))).rejects.toThrow(/401/);
  });
});

/** The migration's function, to restore it after the fallback test. */
async function functionSource(): Promise<string> {
  const { readFileSync } = await import('node:fs');
  return readFileSync(new URL('../../../../supabase/migrations/20260301000200_beacon_claim_bridge_command.sql', import.meta.url), 'utf8');
}
