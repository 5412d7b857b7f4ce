import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrayModel } from '../../../src-main/electron/tray-model.js';
import type { PermissionRequestView } from '../../../src-main/core/contract/permission-request.js';
import type { Gateway } from '../../gateway/index.js';
import { useGateway } from '../../gateway/use-gateway.js';
import { startModelServer, toolResults, turn, type ModelServer } from '../../model-server/index.js';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { ensureRendererBuilt, openBrowser, screenshot, type BrowserSession } from '../../support/browser.js';
import { CLI, runCli } from '../../support/cli.js';
import { connectDashboard, dashboardUrlIn, type DashboardSocket } from '../../support/dashboard-socket.js';
import { useRealClaude, type ClaudeHome } from '../../support/real-claude.js';
import { addWorkspaceMember, commandRow, dashboardClient, insertCommand, WS } from '../../support/source-driver.js';
import { openTrayWindow } from '../../support/tray-window.js';
import { waitFor } from '../../support/wait.js';
import { callExecutor } from '../../../src-main/cli/control/client.js';

/**
 * Permission requests end to end (issue 14): `beacon run --dashboard` on the Supabase gateway, the REAL claude CLI
 * against the scripted model (which asks for Write, then Bash), and every surface live at once: the tray window
 * (its renderer over the IPC transport, and the tray model), the dashboard in real Chromium, `beacon requests`,
 * and Mentu's bridge_permission_requests as a workspace member's client sees it (RLS on, realtime).
 */

const NON_MEMBER = '44444444-4444-4444-8444-444444444444';

let gateway: Gateway;
let model: ModelServer;
let box: BeaconSandbox;
let claudeHome: ClaudeHome;
let beacon: BeaconRun;
let dashboardUrl: string;
let socket: DashboardSocket;
let member: SupabaseClient;
let outsider: SupabaseClient;

useGateway((g) => (gateway = g));

/** The wait before an unanswered request is denied, set per test in beacon.yaml (the executor reads it per run). */
function startExecutor(waitSeconds: number): Promise<void> {
  box = beaconSandbox(gateway, { machineId: 'beacon-perm-e2e', supabase: { poll_seconds: 2 } });
  claudeHome = useRealClaude(box, model, { permissions: { mode: 'default', deny_unanswered_after_seconds: waitSeconds } });
  beacon = startBeacon(box, ['--dashboard']);
  return beacon.ready;
}

beforeAll(async () => {
  ensureRendererBuilt();
  model = await startModelServer();
  await addWorkspaceMember(gateway);
  member = dashboardClient(gateway);
  outsider = createClient(gateway.url, gateway.anonKey, {
    accessToken: () => Promise.resolve(gateway.makeUserJwt(NON_MEMBER)),
    realtime: { transport: WebSocket as unknown as never },
  });
});
afterAll(async () => {
  await model.stop();
});

async function stopExecutor(): Promise<void> {
  socket?.close();
  await beacon?.stop();
  box?.cleanup();
  claudeHome?.cleanup();
}

async function openDashboardSocket(): Promise<void> {
  dashboardUrl = await waitFor('the dashboard URL', () => dashboardUrlIn(beacon.stdout()));
  socket = await connectDashboard(dashboardUrl);
}

/** `beacon requests --follow --json` as a running process: each request printed when the executor first shows it. */
function followRequests(): { seen: { at: number; request: PermissionRequestView }[]; stop(): void } {
  const child = spawn(process.execPath, [CLI, 'requests', '--follow', '--json'], { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: { at: number; request: PermissionRequestView }[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      seen.push({ at: Date.now(), request: JSON.parse(buffer.slice(0, newline)) as PermissionRequestView });
      buffer = buffer.slice(newline + 1);
    }
  });
  return { seen, stop: () => child.kill() };
}

/** A member's realtime subscription to the table, as a phone would hold it: each INSERT with its arrival time. */
async function watchTable(client: SupabaseClient): Promise<{ inserts: { at: number; row: Record<string, unknown> }[]; stop(): Promise<void> }> {
  await client.realtime.setAuth(gateway.makeUserJwt('33333333-3333-4333-8333-333333333333'));
  const inserts: { at: number; row: Record<string, unknown> }[] = [];
  const channel = client
    .channel(`phone-${Date.now()}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bridge_permission_requests', filter: `workspace_id=eq.${WS}` }, (payload) => {
      inserts.push({ at: Date.now(), row: payload.new as Record<string, unknown> });
    });
  await new Promise<void>((resolve, reject) => channel.subscribe((status) => (status === 'SUBSCRIBED' ? resolve() : status !== 'CLOSED' && reject(new Error(status)))));
  return { inserts, stop: async () => void (await client.removeChannel(channel)) };
}

/**
 * When an element first appeared in a page, by the page's own clock (the same machine's): a MutationObserver notes
 * it, so the time is that of the render, not of the next poll.
 */
async function appearedAt(page: Page, selector: string): Promise<number> {
  await page.evaluate((sel) => {
    const seen = ((window as unknown as { __appeared?: Record<string, number> }).__appeared ??= {});
    const check = (): void => {
      if (!seen[sel] && document.querySelector(sel)) seen[sel] = Date.now();
    };
    check();
    new MutationObserver(check).observe(document, { subtree: true, childList: true });
  }, selector);
  const handle = await page.waitForFunction((sel) => (window as unknown as { __appeared?: Record<string, number> }).__appeared?.[sel], selector, { timeout: 60_000, polling: 100 });
  return (await handle.jsonValue()) as number;
}

const requestRows = async (commandId: string) =>
  (await gateway.sql('select * from public.bridge_permission_requests where command_id = $1 order by asked_at', [commandId])).rows;

/** The executor with its dashboard, a dashboard page and a tray-window page, for one test; closed by the returned function. */
async function withSurfaces(waitSeconds: number): Promise<{ dashboard: BrowserSession; tray: BrowserSession; close(): Promise<void> }> {
  await startExecutor(waitSeconds);
  await openDashboardSocket();
  const dashboard = await openBrowser();
  await dashboard.page.goto(dashboardUrl);
  const tray = await openBrowser();
  const stopTray = await openTrayWindow(tray, dashboardUrl, socket);
  return {
    dashboard,
    tray,
    close: async () => {
      stopTray();
      await dashboard.close();
      await tray.close();
      await stopExecutor();
    },
  };
}

const finished = (id: string) =>
  waitFor(`${id} to finish`, async () => {
    const current = await commandRow(gateway, id);
    return ['completed', 'failed', 'cancelled', 'timeout'].includes(String(current.status)) ? current : null;
  }, 90_000);
const resultRow = (id: string) => waitFor('the result row', async () => (await gateway.sql('select * from public.bridge_results where command_id = $1', [id])).rows[0]);
const pendingRequest = (tool: string) =>
  socket.waitForSnapshot((snapshot) => !!snapshot.permissionRequests?.some((r) => r.tool === tool && r.state === 'pending'), 60_000)
    .then(({ snapshot }) => snapshot.permissionRequests!.find((r) => r.tool === tool && r.state === 'pending')!);

describe('no answer', () => {
  it('shows the request on every surface within 1 s of the CLI asking, denies it after the wait, the model hears it, and the command completes "1 request denied (no answer)"', async () => {
    const surfaces = await withSurfaces(6);
    const browser = surfaces.dashboard;
    const trayBrowser = surfaces.tray;
    model.reset();
    const target = join(box.work, 'unanswered.txt');
    model.script(
      turn.tool('Write', { file_path: target, content: 'never\n' }, { id: 'toolu_write_1' }),
      turn.tool('Bash', { command: `node -e "require('fs').writeFileSync('ran.txt', 'yes')"`, description: 'write ran.txt' }, { id: 'toolu_bash_1' }),
      turn.text('Done what I could.'),
    );
    const follow = followRequests();
    const phone = await watchTable(member);
    try {
      const id = await insertCommand(gateway, { prompt: 'write and run', working_directory: box.work, agent: 'claude' });
      const dashboardSeen = appearedAt(browser.page, '[data-testid="permission-request"]');
      const traySeen = appearedAt(trayBrowser.page, '[data-testid="permission-request"]');
      const trayModel = socket.waitForSnapshot((snapshot) => buildTrayModel({ snapshot, launchAtLogin: { supported: false, enabled: false } }).state === 'asking', 60_000);
      const cliSeen = waitFor('beacon requests --follow to print the Write', () => follow.seen.find((entry) => entry.request.tool === 'Write'), 60_000);
      const tableSeen = waitFor('the Write row in the member\'s realtime feed', () => phone.inserts.find((entry) => entry.row.tool_name === 'Write'), 60_000);

      const [dashboardAt, trayAt, tray, cli, table] = await Promise.all([dashboardSeen, traySeen, trayModel, cliSeen, tableSeen]);
      const asked = Date.parse(cli.request.askedAt);
      const latencies = { trayModel: tray.at - asked, trayWindow: trayAt - asked, dashboard: dashboardAt - asked, cli: cli.at - asked, mentu: table.at - asked };
      for (const [surface, ms] of Object.entries(latencies)) expect(ms, `${surface} ${JSON.stringify(latencies)}`).toBeLessThan(1000);
      console.info(`permission request visible after (ms): ${JSON.stringify(latencies)}`);
      expect(buildTrayModel({ snapshot: tray.snapshot, launchAtLogin: { supported: false, enabled: false } })).toMatchObject({
        icon: 'askingTemplate', tooltip: 'Beacon — Waiting for your answer: a permission request (1 running)',
      });
      expect(cli.request).toMatchObject({ commandId: id, tool: 'Write', summary: target, state: 'pending', toolUseId: 'toolu_write_1' });
      expect(cli.request.detail).toContain('+never');
      expect(table.row).toMatchObject({ id: cli.request.id, command_id: id, tool_name: 'Write', summary: target, status: 'pending', machine_id: 'beacon-perm-e2e' });
      expect(await browser.page.getByTestId('permission-summary').first().innerText()).toBe(target);
      // docs/permissions.md shows these two (copied from test-artifacts/ui/).
      await screenshot(browser.page, 'permission-dashboard');
      await screenshot(trayBrowser.page, 'permission-tray-window');

      // Nobody answers the Write: denied at its deadline; the Bash that follows is allowed from the CLI.
      const bash = await waitFor('the Bash request', () => follow.seen.find((entry) => entry.request.tool === 'Bash'), 60_000);
      expect(Date.parse(bash.request.askedAt) - asked).toBeGreaterThanOrEqual(6000);
      const allowed = await runCli(['allow', bash.request.id.slice(0, 8)], { env: box.env });
      expect(allowed.stdout, allowed.stderr).toContain('Allowed Bash');

      const row = await finished(id);
      expect(row.status).toBe('completed');
      expect(existsSync(target)).toBe(false);
      expect(readFileSync(join(box.work, 'ran.txt'), 'utf8')).toBe('yes');
      const write = toolResults(model.messageRequests()[1]!)[0]!;
      expect(write).toMatchObject({ toolUseId: 'toolu_write_1', isError: true });
      expect(write.text).toContain('Nobody answered this permission request in time');

      const result = await resultRow(id);
      expect(result!.error_message).toBe(`completed; 1 request denied (no answer): Write ${target}`);
      expect(result!.stderr).toContain('Permission requests: 2 asked, 1 allowed, 1 denied (1 no answer)');
      const rows = await requestRows(id);
      expect(rows.map((r) => [r.tool_name, r.status, r.answered_via])).toEqual([['Write', 'denied', 'no_answer'], ['Bash', 'allowed', 'cli']]);
      const logs = (await gateway.sql(`select message from public.spawn_logs where command_id = $1 and message like '%[beacon] permission request%'`, [id])).rows;
      expect(logs.map((l) => String(l.message)).join('')).toMatch(/Write .*denied \(no answer\)/);
    } finally {
      follow.stop();
      await phone.stop();
      await surfaces.close();
    }
  }, 120_000);
});

describe('answers from the dashboard and from Mentu', () => {
  it('Allow in the dashboard writes the file and the other surfaces show "answered by the dashboard"; a member denies the Bash through the table (RLS on), nothing runs, the reason is visible; a non-member can neither read nor answer', async () => {
    const surfaces = await withSurfaces(120);
    try {
      model.reset();
      const target = join(box.work, 'allowed.txt');
      const bashMarker = join(box.work, 'bash-ran.txt');
      model.script(
        turn.tool('Write', { file_path: target, content: 'written after a person allowed it\n' }, { id: 'toolu_write_2' }),
        turn.tool('Bash', { command: `node -e "require('fs').writeFileSync('bash-ran.txt', 'yes')"`, description: 'mark' }, { id: 'toolu_bash_2' }),
        turn.text('Finished.'),
      );
      const id = await insertCommand(gateway, { prompt: 'write then run', working_directory: box.work, agent: 'claude' });

      // The dashboard, in real Chromium: the banner for the Write, then Allow.
      const { page } = surfaces.dashboard;
      const banner = page.locator('[data-testid="permission-request"]').filter({ hasText: 'Write' });
      await banner.waitFor({ timeout: 60_000 });
      await banner.getByTestId('permission-allow').click();
      await waitFor('the file the Write makes', () => existsSync(target), 30_000);
      expect(readFileSync(target, 'utf8')).toBe('written after a person allowed it\n');

      // The other surfaces: the tray window, `beacon requests --all`, the table.
      const write = (await requestRows(id)).find((row) => row.tool_name === 'Write')!;
      expect(write).toMatchObject({ status: 'allowed', answered_via: 'dashboard', answer_scope: 'once' });
      const tray = surfaces.tray.page.locator(`[data-testid="permission-settled"][data-request-id="${String(write.id)}"]`);
      await tray.waitFor({ timeout: 10_000 });
      expect(await tray.getByTestId('permission-answered-by').innerText()).toBe('answered by the dashboard');
      const listed = await runCli(['requests', '--all'], { env: box.env });
      expect(listed.stdout).toMatch(new RegExp(`${String(write.id).slice(0, 8)}  Write ${target}[\\s\\S]*allowed: answered by the dashboard`));

      // The Bash request: a non-member sees nothing and changes nothing; a member denies it with a reason.
      const bash = await pendingRequest('Bash');
      const hidden = await outsider.from('bridge_permission_requests').select('*').eq('id', bash.id);
      expect(hidden.data).toEqual([]);
      const forged = await outsider.from('bridge_permission_requests').update({ status: 'allowed', answered_via: 'mentu' }).eq('id', bash.id).eq('status', 'pending').select('id');
      expect(forged.data ?? []).toEqual([]);
      expect((await requestRows(id)).find((row) => row.id === bash.id)!.status).toBe('pending');
      const seen = await member.from('bridge_permission_requests').select('id,tool_name,summary,detail,status').eq('id', bash.id);
      expect(seen.data).toEqual([{ id: bash.id, tool_name: 'Bash', summary: bash.summary, detail: bash.detail, status: 'pending' }]);
      const denied = await member
        .from('bridge_permission_requests')
        .update({ status: 'denied', answer_message: 'no shell on this machine today', answered_via: 'mentu' })
        .eq('id', bash.id)
        .eq('status', 'pending')
        .select('id,answered_by,answered_at');
      expect(denied.error).toBeNull();
      expect(denied.data).toEqual([{ id: bash.id, answered_by: '33333333-3333-4333-8333-333333333333', answered_at: expect.any(String) as unknown }]);

      const row = await finished(id);
      expect(row.status).toBe('completed');
      expect(existsSync(bashMarker)).toBe(false);
      const told = toolResults(model.messageRequests()[2]!)[0]!;
      expect(told).toMatchObject({ toolUseId: 'toolu_bash_2', isError: true, text: 'Denied by Mentu (user 33333333-3333-4333-8333-333333333333): no shell on this machine today' });
      const result = await resultRow(id);
      expect(result.error_message).toBe(`completed; 1 request denied (by Mentu (user 33333333-3333-4333-8333-333333333333)): Bash ${bash.summary}`);
      expect(String(result.stderr)).toContain('denied Bash');
      expect(String(result.stderr)).toContain('no shell on this machine today');
      const reason = page.locator(`[data-testid="permission-settled"][data-request-id="${bash.id}"]`);
      await reason.waitFor({ timeout: 10_000 });
      expect(await reason.innerText()).toContain('no shell on this machine today');
    } finally {
      await surfaces.close();
    }
  }, 180_000);
});

describe('answers racing', () => {
  it('three surfaces answer the same request at once (the dashboard, the CLI, a phone through Mentu): exactly one wins, recorded once, and the CLI acts on it', async () => {
    await startExecutor(120);
    await openDashboardSocket();
    try {
      model.reset();
      const targets = ['race-1.txt', 'race-2.txt', 'race-3.txt'].map((name) => join(box.work, name));
      model.script(...targets.map((file, i) => turn.tool('Write', { file_path: file, content: `${i}\n` }, { id: `toolu_race_${i}` })), turn.text('raced'));
      const id = await insertCommand(gateway, { prompt: 'race', working_directory: box.work, agent: 'claude' });
      const winners: string[] = [];
      for (const [index, file] of targets.entries()) {
        const request = await waitFor(`the request for ${file}`, () => socket.snapshots.at(-1)?.snapshot.permissionRequests?.find((r) => r.summary === file && r.state === 'pending'), 60_000);
        const [dashboard, cli, phone] = await Promise.all([
          socket.call<{ ok: boolean; message: string }>('answerPermission', [request.id, { decision: 'allow' }]),
          // As `beacon deny` calls it: with the control key the owner's CLI reads from MENTU_HOME.
          callExecutor(join(box.home, 'beacon.sock'), 'answerPermission', [request.id, { decision: 'deny', message: 'the CLI says no' }], 10_000, readFileSync(join(box.home, 'control.key'), 'utf8').trim()) as Promise<{ ok: boolean; message: string }>,
          member.from('bridge_permission_requests').update({ status: 'denied', answer_message: 'the phone says no', answered_via: 'mentu' }).eq('id', request.id).eq('status', 'pending').select('id'),
        ]);
        const won = [dashboard.ok && 'dashboard', cli.ok && 'cli', (phone.data ?? []).length === 1 && 'mentu'].filter((w): w is string => !!w);
        expect(won, JSON.stringify({ dashboard, cli, phone: phone.data })).toHaveLength(1);
        const winner = won[0]!;
        winners.push(winner);
        for (const loser of [dashboard, cli].filter((answer) => !answer.ok)) expect(loser.message).toMatch(/was already (allowed|denied) \(by /);
        const [row] = (await gateway.sql('select status, answered_via from public.bridge_permission_requests where id = $1', [request.id])).rows;
        expect(row).toEqual({ status: winner === 'dashboard' ? 'allowed' : 'denied', answered_via: winner });
        const settled = await socket.waitForSnapshot((snapshot) => !!snapshot.permissionRequests?.some((r) => r.id === request.id && r.state !== 'pending'));
        expect(settled.snapshot.permissionRequests!.find((r) => r.id === request.id)!.answer!.via).toBe(winner);
        // The CLI acted on the winner: its next request carries the tool result.
        const next = await model.waitForRequest((r) => r.path === '/v1/messages' && toolResults(r)[0]?.toolUseId === `toolu_race_${index}`, 30_000);
        expect(toolResults(next)[0]!.isError).toBe(winner !== 'dashboard');
        expect(existsSync(file)).toBe(winner === 'dashboard');
      }
      await finished(id);
      const rows = await requestRows(id);
      expect(rows.map((row) => row.answered_via)).toEqual(winners);
      console.info(`race winners: ${winners.join(', ')}`);
    } finally {
      await stopExecutor();
    }
  }, 180_000);
});

describe('a restart', () => {
  it('voids what the executor left pending: the command no longer runs, the row says so, and an answer to it changes nothing', async () => {
    await startExecutor(120);
    await openDashboardSocket();
    try {
      model.reset();
      model.script(turn.tool('Write', { file_path: join(box.work, 'left.txt'), content: 'x\n' }, { id: 'toolu_left' }), turn.text('never read'));
      const id = await insertCommand(gateway, { prompt: 'left behind', working_directory: box.work, agent: 'claude' });
      const request = await pendingRequest('Write');
      socket.close();
      beacon.child.kill('SIGKILL');
      await beacon.exited;
      beacon = startBeacon(box, ['--dashboard']);
      await beacon.ready;
      const row = await waitFor('the request to be void', async () => {
        const [current] = (await gateway.sql('select * from public.bridge_permission_requests where id = $1', [request.id])).rows;
        return current?.status === 'void' ? current : null;
      }, 30_000);
      expect(row).toMatchObject({ answered_via: 'beacon', answer_message: 'void: the executor restarted and the command no longer runs, so this request can no longer be answered' });
      const late = await member.from('bridge_permission_requests').update({ status: 'allowed', answered_via: 'mentu' }).eq('id', request.id).eq('status', 'pending').select('id');
      expect(late.data ?? []).toEqual([]);
      expect((await commandRow(gateway, id)).status).toBe('failed');
      expect(existsSync(join(box.work, 'left.txt'))).toBe(false);
    } finally {
      await stopExecutor();
    }
  }, 120_000);
});
