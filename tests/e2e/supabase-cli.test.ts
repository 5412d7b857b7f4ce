import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import { type BeaconRun, type BeaconSandbox } from '../support/beacon-sandbox.js';
import { runCli } from '../support/cli.js';
import { commandRow, insertCommand, WS } from '../support/source-driver.js';
import { waitFor } from '../support/wait.js';
import { useBeaconSandboxes } from '../support/sandbox-hooks.js';

/** End to end: `node dist-cli/beacon.cjs run` with command_source supabase against the gateway. */

let gateway: Gateway;

useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);

function sandbox(machineId: string, execution: Record<string, unknown> = {}): BeaconSandbox {
  return beacons.sandbox({ machineId, execution });
}

function startRun(box: BeaconSandbox): BeaconRun {
  return beacons.start(box);
}

const resultRows = async (id: string) => (await gateway.sql('select * from public.bridge_results where command_id = $1', [id])).rows;
const statusOf = async (id: string) => (await commandRow(gateway, id)).status as string;

describe('beacon run with the Supabase source', () => {
  it('runs a command end to end: spawn_logs during the run, one result row; targeting respected; the key never logged', async () => {
    const box = sandbox('beacon-e2e-a');
    const run = startRun(box);
    await run.ready;
    const foreign = await insertCommand(gateway, { prompt: '@agent lines=1', working_directory: box.work, target_machine_id: 'beacon-not-me' });
    const id = await insertCommand(gateway, { prompt: '@agent lines=6 interval=250', working_directory: box.work });
    await waitFor('running with live output', async () => (await statusOf(id)) === 'running' && (await gateway.sql('select 1 from public.spawn_logs where command_id = $1', [id])).rowCount! > 0, 15_000, 50);
    await waitFor('completed', async () => (await statusOf(id)) === 'completed', 20_000);
    await waitFor('result row', async () => (await resultRows(id)).length === 1, 10_000);
    const [result] = await resultRows(id);
    expect(result).toMatchObject({ status: 'success', exit_code: 0, machine_id: 'beacon-e2e-a' });
    expect(await statusOf(foreign)).toBe('pending');
    const machine = (await gateway.sql(`select status, workspace_id from public.bridge_machines where id = 'beacon-e2e-a'`)).rows[0];
    expect(machine).toMatchObject({ workspace_id: WS });
    expect(run.stderr()).not.toContain(gateway.serviceRoleKey);
    // `beacon enqueue` inserts into bridge_commands, --target sets target_machine_id.
    // Asynchronously: the gateway lives in this process and must keep answering.
    const enqueued = await runCli(['enqueue', '@agent lines=1', '--cwd', box.work, '--target', 'beacon-elsewhere'], { env: box.env, cwd: box.work });
    expect(enqueued.status, enqueued.stderr).toBe(0);
    const rows = (await gateway.sql(`select target_machine_id, status from public.bridge_commands where target_machine_id = 'beacon-elsewhere'`)).rows;
    expect(rows).toEqual([{ target_machine_id: 'beacon-elsewhere', status: 'pending' }]);
  }, 90_000);

  it('a cancel from the database stops the run; a timeout ends as timeout', async () => {
    const box = sandbox('beacon-e2e-b', { max_concurrent: 2 });
    const run = startRun(box);
    await run.ready;
    const cancelled = await insertCommand(gateway, { prompt: '@agent lines=200 interval=100', working_directory: box.work });
    const timedOut = await insertCommand(gateway, { prompt: '@agent sleep=30000', working_directory: box.work, timeout_seconds: 2 });
    await waitFor('running', async () => (await statusOf(cancelled)) === 'running', 15_000);
    await gateway.sql(`update public.bridge_commands set status = 'cancelled', completed_at = now() where id = $1`, [cancelled]);
    await waitFor('cancelled result row', async () => (await resultRows(cancelled)).length === 1, 15_000);
    expect((await resultRows(cancelled))[0]).toMatchObject({ status: 'cancelled' });
    expect(await statusOf(cancelled)).toBe('cancelled');
    await waitFor('timeout', async () => (await statusOf(timedOut)) === 'timeout', 30_000);
    await waitFor('timeout result row', async () => (await resultRows(timedOut)).length === 1, 10_000);
    expect((await resultRows(timedOut))[0]).toMatchObject({ status: 'timeout' });
  }, 90_000);

  it('after kill -9 the restarted executor fails the running orphan ("executor restarted") with a result row', async () => {
    const box = sandbox('beacon-e2e-c');
    const first = startRun(box);
    await first.ready;
    const pidfile = join(box.work, 'agent.pid');
    const id = await insertCommand(gateway, { prompt: `@agent sleep=60000 pidfile=${pidfile}`, working_directory: box.work });
    await waitFor('running', async () => (await statusOf(id)) === 'running', 15_000);
    const text = await waitFor('the agent started', () => { try { return readFileSync(pidfile, 'utf8'); } catch { return null; } }, 15_000);
    const { pid } = JSON.parse(text) as { pid: number };
    first.child.kill('SIGKILL');
    await first.exited;
    try {
      process.kill(pid, 'SIGKILL'); // the orphaned agent; a re-run would start a new one
    } catch {
      // already gone
    }
    const second = startRun(box);
    await second.ready;
    await waitFor('failed', async () => (await statusOf(id)) === 'failed', 15_000);
    await waitFor('result row', async () => (await resultRows(id)).length === 1, 10_000);
    expect((await resultRows(id))[0]).toMatchObject({ status: 'failed', error_message: 'executor restarted' });
  }, 90_000);

  it('two executors with separate MENTU_HOMEs run 30 commands exactly once', async () => {
    const a = sandbox('beacon-e2e-d1', { max_concurrent: 2 });
    const b = sandbox('beacon-e2e-d2', { max_concurrent: 2 });
    const [ra, rb] = [startRun(a), startRun(b)];
    await Promise.all([ra.ready, rb.ready]);
    // Each sandbox allows only its own root, so each pre-claim check accepts only its own half.
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) ids.push(await insertCommand(gateway, { prompt: `@agent lines=1 #${i}`, working_directory: a.work, target_machine_id: null }));
    for (let i = 0; i < 15; i++) ids.push(await insertCommand(gateway, { prompt: `@agent lines=1 #b${i}`, working_directory: b.work }));
    await waitFor('all completed', async () => {
      const n = (await gateway.sql<{ n: number }>(`select count(*)::int as n from public.bridge_commands where status = 'completed'`)).rows[0]!.n;
      return n === 30;
    }, 60_000, 200);
    // The result row follows the terminal status.
    await waitFor('30 result rows', async () => (await gateway.sql<{ n: number }>('select count(*)::int as n from public.bridge_results')).rows[0]!.n >= 30, 20_000, 200);
    const results = (await gateway.sql<{ n: number; d: number }>('select count(*)::int as n, count(distinct command_id)::int as d from public.bridge_results')).rows[0];
    expect(results).toEqual({ n: 30, d: 30 });
    const owners = (await gateway.sql<{ m: string; n: number }>('select claimed_by_machine_id as m, count(*)::int as n from public.bridge_commands group by 1')).rows;
    // Each executor only claims what its own pre-claim check accepts (its allowed directory).
    expect(Object.fromEntries(owners.map((r) => [r.m, r.n]))).toEqual({ 'beacon-e2e-d1': 15, 'beacon-e2e-d2': 15 });
  }, 120_000);
});
