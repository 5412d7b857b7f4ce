import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../src-main/core/contract/command.js';
import type { CommandSource } from '../../src-main/core/commands/source.js';
import { createSupabaseSource } from '../../src-main/core/commands/supabase/index.js';
import { silentLogger } from '../../src-main/core/logger.js';
import { mentuPaths } from '../../src-main/core/paths.js';
import { ApprovalGate, approvalPortFromSource } from '../../src-main/core/approvals/gate.js';
import { ApprovalStore } from '../../src-main/core/approvals/store.js';
import { fetchBridgeMachines } from '../../src-main/core/commands/supabase/machine.js';
import { buildFleet } from '../../src-main/core/fleet.js';
import { type Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';

/** The parity modules against the local Supabase gateway (real Postgres, PostgREST subset) and real supabase-js. */

const WS = '44444444-4444-4444-8444-444444444444';
const OTHER_WS = '55555555-5555-4555-8555-555555555555';
const MACHINE = 'beacon-parity-test';

let gateway: Gateway;
const cleanups: (() => unknown)[] = [];

useGateway((g) => (gateway = g));
beforeEach(async () => {
  for (const [id, name] of [
    [WS, 'parity-ws'],
    [OTHER_WS, 'other-ws'],
  ]) {
    await gateway.sql(`insert into public.workspaces (id, name) values ($1, $2) on conflict do nothing`, [id, name]);
  }
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const serviceClient = () =>
  createClient(gateway.url, gateway.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });

describe('fleet from bridge_machines', () => {
  it('reads the rows of the configured workspaces and marks the silent one stale', async () => {
    const insert = `insert into public.bridge_machines (id, workspace_id, name, hostname, status, last_seen_at)
                    values ($1, $2, $3, $4, $5, now() - make_interval(secs => $6))`;
    await gateway.sql(insert, ['macbook-rashid', WS, 'MacBook Pro', 'mbp', 'online', 240]);
    await gateway.sql(insert, ['vps-mentu-01', WS, 'VPS', 'vps', 'busy', 30]);
    await gateway.sql(insert, ['elsewhere', OTHER_WS, 'Not ours', 'x', 'online', 5]);

    const client = serviceClient();
    cleanups.push(() => client.removeAllChannels());
    const fleet = buildFleet({ rows: await fetchBridgeMachines(client, [WS]), lockHolders: [], selfMachineId: MACHINE, heartbeatSeconds: 60, now: new Date() });
    expect(fleet.map((m) => m.id)).toEqual(['vps-mentu-01', 'macbook-rashid']);
    const [vps, mac] = fleet;
    expect(vps).toMatchObject({ status: 'busy', stale: false, workspaceId: WS, hostname: 'vps' });
    expect(vps!.heartbeatAgeSeconds).toBeGreaterThanOrEqual(29);
    expect(vps!.heartbeatAgeSeconds).toBeLessThan(60);
    expect(mac).toMatchObject({ status: 'online', stale: true, name: 'MacBook Pro' });
    expect(mac!.heartbeatAgeSeconds).toBeGreaterThanOrEqual(239);
  });
});

describe('approval round trip on bridge_commands', () => {
  async function startSource(outboxDir: string): Promise<CommandSource> {
    const source = createSupabaseSource({
      url: gateway.url,
      auth: { kind: 'service_role', key: gateway.serviceRoleKey },
      workspaceIds: [WS],
      primaryWorkspaceId: WS,
      machineId: MACHINE,
      machineName: 'Parity test',
      hostname: 'parity-host',
      pollSeconds: 2,
      heartbeatSeconds: 1,
      outboxDir,
      maxOutputBytes: 64 * 1024,
      logger: silentLogger,
      tuning: { channelMaxBackoffMs: 2000, outboxMaxBackoffMs: 1000, requestTimeoutMs: 3000, realtimeHeartbeatMs: 2000 },
    });
    await source.start(
      { machineId: MACHINE, agents: ['claude'], workspaceIds: [WS] },
      { onWake: () => {}, onCancelled: () => {}, onCommandChanged: (id) => gates.forEach((g) => g.wake(id)), onStatus: () => {} },
    );
    return source;
  }
  const gates: ApprovalGate[] = [];

  function gateFor(source: CommandSource, home: string): ApprovalGate {
    const gate = new ApprovalGate({
      port: approvalPortFromSource(source),
      store: new ApprovalStore(mentuPaths({ MENTU_HOME: home }).approvals),
      source: 'supabase',
      pollIntervalMs: 100,
    });
    gates.push(gate);
    return gate;
  }

  async function row(id: string) {
    return (await gateway.sql('select status, approval_status from public.bridge_commands where id = $1', [id])).rows[0] as {
      status: string;
      approval_status: string | null;
    };
  }

  async function claimAndRun(source: CommandSource, workdir: string, onApprove: string): Promise<{ id: string; run: CommandOutcome }> {
    const inserted = await gateway.sql<{ id: string }>(
      `insert into public.bridge_commands (workspace_id, prompt, working_directory, agent, approval_required, on_approve, approval_status)
       values ($1, 'change the code', $2, 'claude', true, $3, 'not_required') returning id`,
      [WS, workdir, onApprove],
    );
    const id = inserted.rows[0]!.id;
    const claimed = await source.claimNext(() => ({ ok: true }));
    expect(claimed?.id).toBe(id);
    expect(claimed).toMatchObject({ approvalRequired: true, onApprove });
    const startedAt = new Date().toISOString();
    expect(await source.markRunning(id, startedAt)).toBe(true);
    const run: CommandOutcome = {
      status: 'completed',
      exitCode: 0,
      errorMessage: null,
      summary: null,
      stdoutTail: 'agent output',
      stdoutTruncated: false,
      stderr: '',
      stderrTruncated: false,
      startedAt,
      completedAt: new Date().toISOString(),
    };
    return { id, run };
  }

  afterEach(() => {
    gates.splice(0);
  });

  it('awaiting_approval, then an approval given while Beacon was stopped is seen by the next start', async () => {
    const home = tempDir('beacon-parity-gw-home-');
    const workdir = tempDir('beacon-parity-gw-wd-');
    const first = await startSource(tempDir('beacon-parity-gw-outbox-'));
    const { id, run } = await claimAndRun(first, workdir, 'pwd > approved.txt; echo shipped');
    const gate = gateFor(first, home);
    expect(await gate.enter({ commandId: id, workspaceId: WS, workingDirectory: workdir, onApprove: 'pwd > approved.txt; echo shipped', run })).toBe(true);
    expect(await row(id)).toEqual({ status: 'awaiting_approval', approval_status: 'pending' });

    const stop = new AbortController();
    const waiting = gate.wait(id, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 300));
    stop.abort();
    expect(await waiting).toEqual({ kind: 'aborted' });
    await first.stop();

    // While Beacon is down, someone approves through the database (the proxy or SQL; no UI sets it).
    await gateway.sql(`update public.bridge_commands set approval_status = 'approved' where id = $1`, [id]);

    const second = await startSource(tempDir('beacon-parity-gw-outbox-'));
    cleanups.push(() => second.stop());
    const resumedGate = gateFor(second, home);
    const pending = await resumedGate.pending();
    expect(pending.map((r) => r.commandId)).toEqual([id]);
    const resolution = await resumedGate.wait(id, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    expect(resolution).toMatchObject({ kind: 'approved', recorded: true, outcome: { status: 'completed', exitCode: 0, stdoutTail: 'shipped\n' } });
    expect(readFileSync(join(workdir, 'approved.txt'), 'utf8').trim()).toBe(workdir);
    expect((await row(id)).status).toBe('completed');
    const results = await gateway.sql('select status, exit_code, stdout from public.bridge_results where command_id = $1', [id]);
    expect(results.rows).toEqual([{ status: 'success', exit_code: 0, stdout: 'shipped\n' }]);
  });

  it('survives a hard kill (SIGKILL) of the Beacon that was waiting: the next start sees the approval', async () => {
    const home = tempDir('beacon-parity-gw-home-');
    const workdir = tempDir('beacon-parity-gw-wd-');
    const inserted = await gateway.sql<{ id: string }>(
      `insert into public.bridge_commands (workspace_id, prompt, working_directory, agent, approval_required, on_approve, approval_status)
       values ($1, 'change the code', $2, 'claude', true, 'pwd > after-kill.txt', 'not_required') returning id`,
      [WS, workdir],
    );
    const id = inserted.rows[0]!.id;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve('tests/core/approvals/approval-child.ts'), gateway.url, gateway.serviceRoleKey, WS, MACHINE, home, tempDir('beacon-parity-gw-outbox-')],
      { env: { PATH: process.env.PATH, MENTU_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    let gone = false;
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.on('exit', (_code, signal) => {
        gone = true;
        r(signal);
      }),
    );
    for (let i = 0; i < 300 && !out.includes('AWAITING') && !gone; i++) await new Promise((r) => setTimeout(r, 100));
    expect(out, err).toContain(`AWAITING ${id}`);
    expect(await row(id)).toEqual({ status: 'awaiting_approval', approval_status: 'pending' });

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await gateway.sql(`update public.bridge_commands set approval_status = 'approved' where id = $1`, [id]);

    const source = await startSource(tempDir('beacon-parity-gw-outbox-'));
    cleanups.push(() => source.stop());
    const gate = gateFor(source, home);
    expect((await gate.pending()).map((r) => r.commandId)).toEqual([id]);
    const resolution = await gate.wait(id, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    expect(resolution).toMatchObject({ kind: 'approved', recorded: true, outcome: { status: 'completed', exitCode: 0 } });
    expect(readFileSync(join(workdir, 'after-kill.txt'), 'utf8').trim()).toBe(workdir);
    expect((await row(id)).status).toBe('completed');
    expect(out).not.toContain('WAIT-ENDED');
  });

  it('a rejection fails the command with "Command rejected by user" and on_approve never runs', async () => {
    const home = tempDir('beacon-parity-gw-home-');
    const workdir = tempDir('beacon-parity-gw-wd-');
    const source = await startSource(tempDir('beacon-parity-gw-outbox-'));
    cleanups.push(() => source.stop());
    const { id, run } = await claimAndRun(source, workdir, 'touch must-not-exist');
    const gate = gateFor(source, home);
    await gate.enter({ commandId: id, workspaceId: WS, workingDirectory: workdir, onApprove: 'touch must-not-exist', run });
    const waiting = gate.wait(id, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    await gateway.sql(`update public.bridge_commands set approval_status = 'rejected' where id = $1`, [id]);
    expect(await waiting).toMatchObject({ kind: 'rejected', recorded: true });
    expect((await row(id)).status).toBe('failed');
    const results = await gateway.sql('select status, error_message from public.bridge_results where command_id = $1', [id]);
    expect(results.rows).toEqual([{ status: 'failed', error_message: 'Command rejected by user' }]);
    expect(existsSync(join(workdir, 'must-not-exist'))).toBe(false);
  });
});
