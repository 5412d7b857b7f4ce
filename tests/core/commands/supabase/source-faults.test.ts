import { describe, expect, it } from 'vitest';
import { type Gateway } from '../../../gateway/index.js';
import { commandRow, insertCommand, newSource, tempDir, WS, type Driver } from '../../../support/source-driver.js';
import { useSourceDrivers } from '../../../support/use-source-drivers.js';
import { waitFor } from '../../../support/wait.js';

/** Races and failures: two claimants, a dead realtime socket, an unreachable database. */

let gateway: Gateway;
const sources = useSourceDrivers((g) => (gateway = g));
const { cleanups } = sources;

const driverFor = (machineId: string, pollSeconds = 2, maxConcurrent = 4): Promise<Driver> => sources.start(machineId, { maxConcurrent, source: { pollSeconds } });

const connected = (driver: Driver) => waitFor('connected', () => driver.source.status().connection === 'connected', 10_000);

async function statusCounts(): Promise<Record<string, number>> {
  const rows = (await gateway.sql<{ status: string; n: number }>('select status, count(*)::int as n from public.bridge_commands group by status')).rows;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('Supabase source under races and faults', () => {
  it('two claimants and 200 commands: every command runs exactly once', async () => {
    const a = await driverFor('beacon-race-a', 2, 8);
    const b = await driverFor('beacon-race-b', 2, 8);
    await Promise.all([connected(a), connected(b)]);
    const values = Array.from({ length: 200 }, (_, i) => `('${WS}', 'steps=1 ms=1 #${i}', '/tmp', 'claude')`).join(',');
    await gateway.sql(`insert into public.bridge_commands (workspace_id, prompt, working_directory, agent) values ${values}`);
    await waitFor('all 200 completed', async () => (await statusCounts()).completed === 200, 150_000, 250).catch(async (error: Error) => {
      throw new Error(`${error.message}; statuses ${JSON.stringify(await statusCounts())}; runs a=${a.runs.length} b=${b.runs.length}; ${JSON.stringify(a.source.status())}`);
    });
    await Promise.all([a.idle(), b.idle()]);
    const ran = [...a.runs, ...b.runs].map((r) => r.commandId);
    expect(ran).toHaveLength(200);
    expect(new Set(ran).size).toBe(200);
    expect(a.runs.length).toBeGreaterThan(0);
    expect(b.runs.length).toBeGreaterThan(0);
    const results = await gateway.sql<{ n: number; d: number }>('select count(*)::int as n, count(distinct command_id)::int as d from public.bridge_results');
    expect(results.rows[0]).toEqual({ n: 200, d: 200 });
    // The database agrees on who ran what.
    const owners = await gateway.sql<{ claimed_by_machine_id: string; n: number }>('select claimed_by_machine_id, count(*)::int as n from public.bridge_commands group by 1');
    const byOwner = Object.fromEntries(owners.rows.map((r) => [r.claimed_by_machine_id, r.n]));
    expect(byOwner).toEqual({ 'beacon-race-a': a.runs.length, 'beacon-race-b': b.runs.length });
  }, 180_000);

  it('realtime dropped for 10 s while 20 commands are inserted: all run after the reconnect, none twice', async () => {
    // A long poll period, so only the re-subscription's catch-up can find the commands.
    const driver = await driverFor('beacon-drop', 600);
    await connected(driver);
    gateway.faults.refuseJoins(true);
    gateway.faults.dropAllSockets();
    await waitFor('reconnecting', () => driver.source.status().connection === 'reconnecting', 5000);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await insertCommand(gateway, { prompt: `steps=1 ms=1 #${i}` }));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(driver.runs).toHaveLength(0);
    expect((await statusCounts()).pending).toBe(20);
    expect(driver.statuses.some((s) => s.connection === 'reconnecting' && /realtime/.test(s.detail ?? ''))).toBe(true);
    gateway.faults.refuseJoins(false);
    await waitFor('all 20 completed', async () => (await statusCounts()).completed === 20, 20_000, 100);
    await driver.idle();
    expect(driver.runs.map((r) => r.commandId).sort()).toEqual([...ids].sort());
    expect(driver.wakes.filter((w) => w === 'subscribed').length).toBeGreaterThanOrEqual(2);
    expect(driver.source.status().connection).toBe('connected');
  }, 60_000);

  it('the poll backstop finds commands whose change events were lost, and notices cancellations', async () => {
    const driver = await driverFor('beacon-poll', 1);
    await connected(driver);
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the start/subscribe catch-up passes finish
    gateway.faults.stallDelivery(8000, 'drop');
    driver.wakes.length = 0;
    const id = await insertCommand(gateway, { prompt: 'steps=100 ms=50' });
    await waitFor('claimed by the poll', async () => (await commandRow(gateway, id)).status === 'running', 4000);
    expect(driver.wakes).toContain('poll');
    expect(driver.wakes).not.toContain('insert');
    await gateway.sql(`update public.bridge_commands set status = 'cancelled' where id = $1`, [id]);
    await waitFor('cancel noticed by the poll', () => driver.cancelled.includes(id), 4000);
    await driver.idle();
    expect((await gateway.sql('select status from public.bridge_results where command_id = $1', [id])).rows).toEqual([{ status: 'cancelled' }]);
  }, 30_000);

  it('database unreachable for 15 s during a run: output and result arrive after it returns, nothing lost', async () => {
    const driver = await driverFor('beacon-offline');
    await connected(driver);
    const id = await insertCommand(gateway, { prompt: 'steps=30 ms=200' });
    await waitFor('running', async () => (await commandRow(gateway, id)).status === 'running', 5000);
    gateway.faults.unreachable(15_000);
    const downAt = Date.now();
    await waitFor('offline', () => driver.source.status().connection === 'offline', 5000);
    await waitFor('writes queued', () => driver.source.status().pendingWrites > 0, 5000);
    await driver.idle(); // the run (6 s) ends while the database is still away
    expect(Date.now() - downAt).toBeLessThan(15_000);
    expect(driver.runs[0]?.outcome).toBe('completed');
    await waitFor('result row', async () => (await gateway.sql('select 1 from public.bridge_results where command_id = $1', [id])).rowCount === 1, 30_000, 200);
    expect(Date.now() - downAt).toBeGreaterThanOrEqual(14_000);
    expect(await commandRow(gateway, id)).toMatchObject({ status: 'completed' });
    const logs = await gateway.sql<{ message: string }>('select message from public.spawn_logs where command_id = $1 order by ts', [id]);
    expect(logs.rows.map((r) => r.message).join('')).toBe(Array.from({ length: 30 }, (_, i) => `step ${i + 1} of ${id}\n`).join(''));
    const result = await gateway.sql('select status, stdout from public.bridge_results where command_id = $1', [id]);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ status: 'success' });
    await waitFor('outbox empty and connected', () => driver.source.status().pendingWrites === 0 && driver.source.status().connection === 'connected', 15_000);
  }, 60_000);

  it('after a failed claim round, a claim whose answer was lost is released and claimed again, never left claimed forever', async () => {
    const source = newSource(gateway, 'beacon-lost', tempDir('beacon-outbox-', cleanups));
    await source.start({ machineId: 'beacon-lost', agents: ['claude'], workspaceIds: [WS] }, { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} });
    cleanups.push(() => source.stop());
    // 500, not 503: supabase-js itself retries GETs on 503.
    gateway.faults.restFailures({ status: 500, untilMs: 1000 });
    await expect(source.claimNext(() => ({ ok: true }))).rejects.toThrow(/HTTP 500/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // What a committed claim whose response never arrived leaves behind (the gateway cannot drop a response).
    const id = await insertCommand(gateway, { status: 'claimed', claimed_by_machine_id: 'beacon-lost', claimed_at: new Date() });
    const claimed = await source.claimNext(() => ({ ok: true }));
    expect(claimed?.id).toBe(id);
    expect(await commandRow(gateway, id)).toMatchObject({ status: 'claimed', claimed_by_machine_id: 'beacon-lost' });
    // A row claimed by us that a run holds is never touched.
    expect(await source.claimNext(() => ({ ok: true }))).toBeNull();
    expect((await commandRow(gateway, id)).status).toBe('claimed');
  }, 30_000);

  it('writes queued in the outbox survive a restart and are replayed by the next start', async () => {
    const outbox = tempDir('beacon-outbox-', cleanups);
    const first = newSource(gateway, 'beacon-replay', outbox);
    const events = { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} };
    await first.start({ machineId: 'beacon-replay', agents: ['claude'], workspaceIds: [WS] }, events);
    const id = await insertCommand(gateway);
    expect((await first.claimNext(() => ({ ok: true })))?.id).toBe(id);
    const startedAt = new Date().toISOString();
    expect(await first.markRunning(id, startedAt)).toBe(true);
    gateway.faults.unreachable(60_000);
    first.appendOutput(id, { stream: 'stdout', text: 'written while away\n' });
    const now = new Date().toISOString();
    expect(await first.finish(id, { status: 'completed', exitCode: 0, errorMessage: null, summary: null, stdoutTail: 'written while away\n', stdoutTruncated: false, stderr: '', stderrTruncated: false, startedAt, completedAt: now })).toBe(true);
    expect(first.status().pendingWrites).toBe(2);
    await first.stop();
    gateway.faults.clear();

    const second = newSource(gateway, 'beacon-replay', outbox);
    await second.start({ machineId: 'beacon-replay', agents: ['claude'], workspaceIds: [WS] }, events);
    cleanups.push(() => second.stop());
    expect(await second.recoverOrphans()).toEqual({ failed: [], requeued: [] });
    await waitFor('replayed', () => second.status().pendingWrites === 0, 10_000);
    expect(await commandRow(gateway, id)).toMatchObject({ status: 'completed' });
    expect((await gateway.sql('select message from public.spawn_logs where command_id = $1', [id])).rows).toEqual([{ message: 'written while away\n' }]);
    expect((await gateway.sql('select status from public.bridge_results where command_id = $1', [id])).rows).toEqual([{ status: 'success' }]);
  }, 60_000);
});
