import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '../../src-main/cli/dashboard/server.js';
import { FakeBeaconClient } from './fake-client.js';
import { ensureRendererBuilt, openBrowser, RENDERER_DIR, terminalText, type BrowserSession } from '../support/browser.js';

/**
 * The Electron path: when window.beaconIpc exists (the preload's contextBridge), the app uses it and not
 * the WebSocket. The bridge here is an in-page stand-in installed before the app loads.
 */

// A string, not a function: it runs in the page before any script.
const BRIDGE_SCRIPT = `(() => {
  const now = new Date().toISOString();
  const command = (id, status, prompt) => ({ id, status, prompt, workingDirectory: '/tmp/ipc', agent: 'claude', targetMachineId: null,
    workspaceId: null, commitmentId: null, createdAt: now, claimedAt: now, startedAt: now, completedAt: status === 'completed' ? now : null,
    exitCode: status === 'completed' ? 0 : null, errorMessage: null, summary: null, outputBytes: 15 });
  const snapshot = { machineId: 'beacon-ipc-host', machineName: 'IPC host', hostname: 'ipc-host', version: '0.1.0', mode: 'app', role: 'active',
    paused: false, source: { kind: 'local', connection: 'connected', detail: null, pendingWrites: 0 }, lockHolders: [],
    commands: [command('cmd-a', 'running', 'first'), command('cmd-c', 'awaiting_approval', 'third'), command('cmd-b', 'completed', 'second')], maxConcurrent: 1,
    configPath: '/tmp/ipc/beacon.yaml', logsDir: '/tmp/ipc/logs', problem: null, fleet: [] };
  const calls = [];
  const listeners = new Set();
  const openListeners = new Set();
  window.__bridgeCalls = calls;
  window.__openCommand = (id) => openListeners.forEach((l) => l(id));
  window.beaconIpc = {
    invoke: async (action, args) => {
      calls.push([action, args]);
      if (action === 'getSnapshot') return snapshot;
      if (action === 'pause' || action === 'resume') {
        snapshot.paused = action === 'pause';
        listeners.forEach((l) => l({ type: 'snapshot', snapshot: { ...snapshot } }));
        return null;
      }
      if (action === 'decideApproval') {
        snapshot.commands = snapshot.commands.map((c) => (c.id === args[0] ? { ...c, status: args[1] === 'approved' ? 'approved' : 'failed' } : c));
        listeners.forEach((l) => l({ type: 'snapshot', snapshot: { ...snapshot } }));
        return { ok: true, message: 'Decided ' + args[0] };
      }
      if (action === 'readOutput') {
        const text = 'hello via ' + args[0] + '\\r\\n';
        return { commandId: args[0], offset: args[1], nextOffset: 15, data: args[1] >= 15 ? '' : text.slice(0, 15 - args[1]), complete: args[0] === 'cmd-b' };
      }
      if (action === 'getSettings') {
        return { configPath: '/tmp/ipc/beacon.yaml', commandSource: 'local', supabaseUrl: null, workspaceIds: [], supabaseKeyStored: false,
          allowedDirectories: ['/tmp/ipc'], defaultTimeoutSeconds: 3600, maxConcurrent: 1, agentName: 'claude', agentCommand: 'claude',
          agentResolvedPath: '/usr/local/bin/claude', agentVersion: '2.1.197 (Claude Code)', agentProblem: null,
          launchAtLogin: { supported: true, enabled: true, status: 'requires-approval',
            detail: 'Waiting for your approval: turn Beacon on in System Settings → General → Login Items.',
            offerLoginItemsSettings: true, offerMoveToApplications: false } };
      }
      throw new Error('not in this stand-in: ' + action);
    },
    onEvent: (listener) => { listeners.add(listener); return () => listeners.delete(listener); },
    shell: {
      detachWindow: async () => { calls.push(['shell.detachWindow', []]); },
      openLogsFolder: async () => { calls.push(['shell.openLogsFolder', []]); },
      openLoginItemsSettings: async () => { calls.push(['shell.openLoginItemsSettings', []]); },
      moveToApplications: async () => { calls.push(['shell.moveToApplications', []]); },
      onOpenCommand: (listener) => { openListeners.add(listener); return () => openListeners.delete(listener); },
    },
  };
})()`;

describe('the renderer over window.beaconIpc (IPC)', () => {
  const socketClient = new FakeBeaconClient({ machineId: 'beacon-websocket-host' });
  let server: DashboardServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureRendererBuilt();
    server = await startDashboard({ client: socketClient, port: 0, staticDir: RENDERER_DIR });
    browser = await openBrowser();
    await browser.context.addInitScript(BRIDGE_SCRIPT);
    await browser.page.goto(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('takes its state and actions from the bridge, not the WebSocket', async () => {
    const { page } = browser;
    await page.getByRole('heading', { name: /beacon-ipc-host/ }).waitFor();
    expect(socketClient.listenerCount).toBe(0);
    await page.getByTestId('pause-toggle').click();
    await page.locator('[data-testid="pause-toggle"][aria-pressed="true"]').waitFor();
    const calls = (await page.evaluate('window.__bridgeCalls')) as [string, unknown[]][];
    expect(calls).toContainEqual(['pause', []]);
    expect(socketClient.calls).toEqual([]);
  });

  it('offers the shell actions and opens the command a notification asks for', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Logs' }).click();
    await page.getByRole('button', { name: 'Detach' }).click();
    await expect.poll(async () => JSON.stringify(await page.evaluate('window.__bridgeCalls'))).toMatch(/shell\.openLogsFolder[\s\S]*shell\.detachWindow/);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.evaluate("window.__openCommand('cmd-b')");
    await page.locator('[data-command-id="cmd-b"][aria-current="true"]').waitFor();
    expect(await page.getByRole('tab', { name: /Commands/ }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => terminalText(page)).toContain('hello via cmd-b');
  });

  it('Settings shows the login item as macOS has it (waiting for approval) and opens Login Items through the shell', async () => {
    const { page } = browser;
    await page.getByRole('tab', { name: 'Settings' }).click();
    const status = page.getByTestId('login-item-status');
    await status.waitFor();
    expect(await status.textContent()).toContain('System Settings → General → Login Items');
    expect(await status.getByRole('button', { name: 'Move to Applications…' }).count()).toBe(0);
    await status.getByRole('button', { name: 'Open Login Items Settings…' }).click();
    await expect.poll(async () => JSON.stringify(await page.evaluate('window.__bridgeCalls'))).toContain('shell.openLoginItemsSettings');
    await page.getByRole('tab', { name: /Commands/ }).click();
  });

  it('sends an approval decision through the bridge', async () => {
    const { page } = browser;
    await page.locator('[data-command-id="cmd-c"]').click();
    await page.getByTestId('approve-button').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-command-id="cmd-c"][data-status="approved"]').waitFor();
    const calls = (await page.evaluate('window.__bridgeCalls')) as [string, unknown[]][];
    expect(calls.filter(([action]) => action === 'decideApproval')).toEqual([['decideApproval', ['cmd-c', 'approved']]]);
    expect(socketClient.calls.filter((call) => call.action === 'decideApproval')).toEqual([]);
  });
});
