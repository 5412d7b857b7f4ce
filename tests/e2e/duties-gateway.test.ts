import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FleetMachineView } from '../../src-main/core/contract/types.js';
import { runCli, type CliResult } from '../support/cli.js';
import { type BeaconRun, type BeaconSandbox } from '../support/beacon-sandbox.js';
import { type Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import { WS } from '../support/source-driver.js';
import { waitFor } from '../support/wait.js';
import { useBeaconSandboxes } from '../support/sandbox-hooks.js';

/** Approvals and the fleet through a real `beacon run` / `beacon status` against the Supabase test gateway. */

const MACHINE = 'beacon-approval-gw';
const HEARTBEAT_SECONDS = 5;

let gateway: Gateway;
useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);

async function executor(): Promise<{ box: BeaconSandbox; run: BeaconRun }> {
  const box = beacons.sandbox({ machineId: MACHINE, supabase: { heartbeat_seconds: HEARTBEAT_SECONDS } });
  const run = beacons.start(box);
  await run.ready;
  return { box, run };
}

async function commandRow(id: string): Promise<{ status: string; approval_status: string | null }> {
  return (await gateway.sql('select status, approval_status from public.bridge_commands where id = $1', [id])).rows[0] as never;
}

/** The CLI as a child process, asynchronously: the gateway runs in this process and must keep answering. */
function beacon(box: BeaconSandbox, args: string[]): Promise<CliResult> {
  return runCli(args, { env: box.env, cwd: box.work });
}

async function resultRows(id: string, columns: string): Promise<unknown[]> {
  return (await gateway.sql(`select ${columns} from public.bridge_results where command_id = $1`, [id])).rows;
}

describe('approval through beacon run on bridge_commands', () => {
  it('awaiting_approval after the run; approval_status set by SQL → on_approve runs in the same directory and is the result', async () => {
    const { box, run } = await executor();
    const inserted = await gateway.sql<{ id: string }>(
      `insert into public.bridge_commands (workspace_id, prompt, working_directory, agent, approval_required, on_approve, approval_status)
       values ($1, 'change the code', $2, 'claude', true, 'pwd > approved.txt; echo shipped', 'not_required') returning id`,
      [WS, box.work],
    );
    const id = inserted.rows[0]!.id;
    await waitFor('awaiting_approval', async () => (await commandRow(id)).status === 'awaiting_approval', 30_000);
    expect(await commandRow(id)).toEqual({ status: 'awaiting_approval', approval_status: 'pending' });
    // No result row yet: the agent's success is not the command's result until someone decides.
    expect((await gateway.sql('select 1 from public.bridge_results where command_id = $1', [id])).rows).toEqual([]);

    await gateway.sql(`update public.bridge_commands set approval_status = 'approved' where id = $1`, [id]);
    await waitFor('completed', async () => (await commandRow(id)).status === 'completed', 30_000);
    expect(readFileSync(join(box.work, 'approved.txt'), 'utf8').trim()).toBe(box.work);
    // The status is written before the one result row.
    const results = await waitFor('the result row', async () => {
      const rows = await resultRows(id, 'status, exit_code, stdout');
      return rows.length ? rows : null;
    });
    expect(results).toEqual([{ status: 'success', exit_code: 0, stdout: 'shipped\n' }]);
    await waitFor('the executor to log the end of the approval', () => run.stderr().includes(`approval of ${id} ended: approved status=completed`));
  });

  it('beacon reject through the running executor fails the command "Command rejected by user"', async () => {
    const { box } = await executor();
    const inserted = await gateway.sql<{ id: string }>(
      `insert into public.bridge_commands (workspace_id, prompt, working_directory, agent, approval_required, on_approve, approval_status)
       values ($1, 'risky', $2, 'claude', true, 'touch must-not-exist', 'not_required') returning id`,
      [WS, box.work],
    );
    const id = inserted.rows[0]!.id;
    await waitFor('awaiting_approval', async () => (await commandRow(id)).status === 'awaiting_approval', 30_000);
    const rejected = await beacon(box, ['reject', id]);
    expect(rejected.status, rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain(`Rejected ${id}`);
    await waitFor('failed', async () => (await commandRow(id)).status === 'failed', 30_000);
    const results = await waitFor('the result row', async () => {
      const rows = await resultRows(id, 'status, error_message');
      return rows.length ? rows : null;
    });
    expect(results).toEqual([{ status: 'failed', error_message: 'Command rejected by user' }]);
  });
});

describe('beacon status --executors', () => {
  it('lists this machine and a machine silent for 4 heartbeats as STALE although its status says online', async () => {
    await gateway.sql(
      `insert into public.bridge_machines (id, workspace_id, name, hostname, status, last_seen_at)
       values ('old-macbook', $1, 'Old MacBook', 'old-mbp', 'online', now() - make_interval(secs => $2))`,
      [WS, 4 * HEARTBEAT_SECONDS],
    );
    const { box } = await executor();
    await waitFor('this machine registered', async () => (await gateway.sql('select 1 from public.bridge_machines where id = $1', [MACHINE])).rows.length === 1);

    const json = await beacon(box, ['status', '--executors', '--json']);
    expect(json.status, json.stderr).toBe(0);
    const executors = (JSON.parse(json.stdout) as { executors: FleetMachineView[] }).executors;
    expect(executors.map((m) => m.id)).toEqual([MACHINE, 'old-macbook']);
    expect(executors[0]).toMatchObject({ self: true, stale: false, workspaceId: WS });
    expect(executors[0]!.heartbeatAgeSeconds).toBeLessThan(HEARTBEAT_SECONDS * 3);
    expect(executors[1]).toMatchObject({ self: false, stale: true, status: 'online', name: 'Old MacBook' });
    expect(executors[1]!.heartbeatAgeSeconds).toBeGreaterThanOrEqual(4 * HEARTBEAT_SECONDS);
    expect(json.stdout).not.toContain(gateway.serviceRoleKey);

    const text = await beacon(box, ['status', '--executors']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${MACHINE} \\(this machine\\)`));
    expect(text.stdout).toMatch(/old-macbook\s+Old MacBook\s+online\s+\d+s ago\s+STALE/);
    expect(text.stdout.split('\n').find((l) => l.includes(MACHINE))).not.toContain('STALE');
  });
});
