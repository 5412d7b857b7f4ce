import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
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
      const dashboardSeen = browser.page.locator('[data-testid="permission-request"]').first().waitFor({ timeout: 60_000 }).then(() => Date.now());
      const traySeen = trayBrowser.page.locator('[data-testid="permission-request"]').first().waitFor({ timeout: 60_000 }).then(() => Date.now());
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

      const row = await waitFor('the command to finish', async () => {
        const current = await commandRow(gateway, id);
        return ['completed', 'failed'].includes(String(current.status)) ? current : null;
      }, 60_000);
      expect(row.status).toBe('completed');
      expect(existsSync(target)).toBe(false);
      expect(readFileSync(join(box.work, 'ran.txt'), 'utf8')).toBe('yes');
      const write = toolResults(model.messageRequests()[1]!)[0]!;
      expect(write).toMatchObject({ toolUseId: 'toolu_write_1', isError: true });
      expect(write.text).toContain('Nobody answered this permission request in time');

      const result = await waitFor('the result row', async () => (await gateway.sql('select * from public.bridge_results where command_id = $1', [id])).rows[0]);
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
