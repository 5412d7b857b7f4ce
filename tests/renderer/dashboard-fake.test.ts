import { describe, expect, it } from 'vitest';
import { startDashboard } from '../../src-main/cli/dashboard/server.js';
import { useFakeDashboard } from './fake-dashboard.js';
import { RENDERER_DIR, screenshot, terminalText } from '../support/browser.js';
import { measureWhile, startProbe } from './latency.js';

/** The real UI in Chromium over the real dashboard server, driven by an in-memory BeaconClient. */

describe('the dashboard UI against a fake client', () => {
  const dashboard = useFakeDashboard();
  const { client } = dashboard;

  it('drops the token from the address bar, has no Node access and runs under the CSP', async () => {
    const { page } = dashboard.browser;
    expect(page.url()).toBe(`http://127.0.0.1:${dashboard.server.port}/`);
    const probe = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
    }));
    expect(probe).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined' });
    expect(probe.csp).toMatch(/default-src 'self'/);
    expect(probe.csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\*/);
    // The CSP really applies: an inline script is blocked.
    const inlineRan = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.appendChild(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (window as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(inlineRan).toBe(false);
    const unexpected = dashboard.browser.problems.filter((p) => !/inline script|Content Security Policy/i.test(p));
    expect(unexpected, unexpected.join('\n')).toEqual([]);
  });

  it('shows an empty state, then commands with their status badges', async () => {
    const { page } = dashboard.browser;
    await expect(page.getByTestId('commands-empty').isVisible()).resolves.toBe(true);
    const statuses = ['pending', 'awaiting_approval', 'approved', 'timeout', 'failed'] as const;
    for (const status of statuses) client.addCommand({ status, prompt: `a ${status} command`, exitCode: status === 'failed' ? 3 : null });
    for (const status of statuses) {
      await page.locator(`[data-testid="command-item"][data-status="${status}"] .badge`).waitFor();
    }
    const labels = await page.locator('[data-testid="command-item"] .badge').allInnerTexts();
    expect(labels).toEqual(expect.arrayContaining(['Pending', 'Awaiting approval', 'Approved', 'Timed out', 'Failed']));
    expect(await page.locator('[data-testid="command-item"][data-status="failed"] [data-testid="exit-code"]').innerText()).toBe('exit 3');
  });

  it('can be used from the keyboard alone and follows the dark colour scheme', async () => {
    const { page } = dashboard.browser;
    // Tab reaches the pause toggle; Space presses it.
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'pause-toggle');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Space');
    await page.locator('[data-testid="pause-toggle"][aria-pressed="true"]').waitFor();
    await page.keyboard.press('Space');
    await page.locator('[data-testid="pause-toggle"][aria-pressed="false"]').waitFor();
    // Arrow keys walk the tab list and the command list.
    await page.getByRole('tab', { name: /Commands/ }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Lock holders' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    client.addCommand({ prompt: 'keyboard one' });
    client.addCommand({ prompt: 'keyboard two' });
    const rows = page.getByTestId('command-item');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    await rows.first().focus();
    const firstId = await rows.first().getAttribute('data-command-id');
    await page.keyboard.press('ArrowDown');
    // The row below has the focus and becomes the selection (React renders it a moment later).
    const focused = () =>
      page.evaluate(() => ({ id: document.activeElement?.getAttribute('data-command-id'), current: document.activeElement?.getAttribute('aria-current') }));
    await expect.poll(focused).toEqual({ id: expect.not.stringMatching(`^${firstId}$`), current: 'true' });
    // Dark mode: the page's colours change with the system preference.
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).not.toBe(light);
    await screenshot(page, 'dark-commands');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'light-commands');
  });

  it('replays output from the log after a reload and continues live without duplicates', async () => {
    const { page } = dashboard.browser;
    const command = client.addCommand({ prompt: 'replay me' });
    client.setStatus(command.id, 'running');
    for (let i = 1; i <= 5; i++) client.emitOutput(command.id, `before-${i}\r\n`);
    await page.locator(`[data-command-id="${command.id}"]`).click();
    await expect.poll(() => terminalText(page)).toContain('before-5');
    await page.reload();
    await page.locator(`[data-command-id="${command.id}"]`).click();
    await expect.poll(() => terminalText(page)).toContain('before-5');
    for (let i = 1; i <= 5; i++) client.emitOutput(command.id, `after-${i}\r\n`);
    await expect.poll(() => terminalText(page)).toContain('after-5');
    const text = await terminalText(page);
    for (let i = 1; i <= 5; i++) {
      expect(text.split(`before-${i}\n`).length - 1, `before-${i}`).toBe(1);
      expect(text.split(`after-${i}\n`).length - 1, `after-${i}`).toBe(1);
    }
    // A gap (events lost) is filled from the log: emit straight into the log without an event, then one event.
    const lost = 'lost-line\r\n';
    client.emitOutput(command.id, lost); // reaches the page...
    await expect.poll(() => terminalText(page)).toContain('lost-line');
    client.setStatus(command.id, 'completed', { exitCode: 0 });
    expect(Number(await page.getByTestId('terminal').getAttribute('data-log-offset'))).toBe(client.command(command.id).outputBytes);
  });

  it('shows stream-json as readable text; the Readable/Raw switch is reachable by keyboard, keeps offsets exact and is remembered', async () => {
    const { page } = dashboard.browser;
    const command = client.addCommand({ prompt: 'stream-json please' });
    client.setStatus(command.id, 'running');
    const events = [
      { type: 'system', subtype: 'init', session_id: 'sess-1', model: 'claude-test', claude_code_version: '2.1.330', tools: [] },
      { type: 'assistant', message: { content: [{ type: 'text', text: 'Looking at the parser' }] }, session_id: 'sess-1' },
      { type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'npm test' } }] }, session_id: 'sess-1' },
      { type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'all 12 passed\nmore' }] }, session_id: 'sess-1' },
      { type: 'result', subtype: 'success', is_error: false, duration_ms: 2500, num_turns: 3, total_cost_usd: 0.05, session_id: 'sess-1' },
    ];
    client.emitOutput(command.id, 'plain before\r\n');
    const raw = events.map((e) => JSON.stringify(e) + '\r\n').join('');
    // Cut inside a JSON line: the rest arrives in a second event.
    client.emitOutput(command.id, raw.slice(0, 150));
    await page.locator(`[data-command-id="${command.id}"]`).click();
    await expect.poll(() => terminalText(page)).toContain('plain before');
    client.emitOutput(command.id, raw.slice(150) + 'plain after\r\n');
    await expect.poll(() => terminalText(page)).toContain('✔ Done');
    const readable = await terminalText(page);
    expect(readable).toContain('● Claude 2.1.330 · model claude-test · session sess-1');
    expect(readable).toMatch(/Looking at the parser\n▸ Bash npm test\n {2}↳ all 12 passed\n✔ Done · 2\.5 s · 3 turns · \$0\.0500\nplain after/);
    expect(readable).not.toContain('"type"');
    const terminal = page.getByTestId('terminal');
    expect(Number(await terminal.getAttribute('data-log-offset'))).toBe(client.command(command.id).outputBytes);

    // Tab reaches the switch; Space presses Raw.
    const rawButton = page.getByTestId('output-mode-raw');
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'output-mode-raw');
    }
    expect(reached).toBe(true);
    expect(await page.getByRole('group', { name: 'Output format' }).count()).toBe(1);
    await page.keyboard.press('Space');
    expect(await rawButton.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => terminalText(page)).toContain('"type":"result"');
    expect(await terminalText(page)).not.toContain('✔ Done');
    expect(await terminal.getAttribute('data-output-mode')).toBe('raw');
    await expect.poll(() => terminal.getAttribute('data-log-offset')).toBe(String(client.command(command.id).outputBytes));
    await screenshot(page, 'output-raw');

    // Remembered across a reload.
    await page.reload();
    await page.locator(`[data-command-id="${command.id}"]`).click();
    await expect.poll(() => terminalText(page)).toContain('"type":"result"');
    expect(await page.getByTestId('output-mode-raw').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('output-mode-readable').click();
    await expect.poll(() => terminalText(page)).toContain('✔ Done');
    expect(await page.evaluate(() => localStorage.getItem('beacon.outputMode'))).toBe('readable');
    await screenshot(page, 'output-readable');
    // A JSON line cut off at the end (the agent died mid-line) waits for its newline, then shows as it is.
    client.emitOutput(command.id, '{"type":"assistant","message":{"cut');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await terminalText(page)).not.toContain('"cut');
    client.setStatus(command.id, 'completed', { exitCode: 0 });
    await expect.poll(() => terminalText(page)).toContain('{"type":"assistant","message":{"cut');
  });

  it('reconnects after the connection drops and replays the output it missed', async () => {
    const { page } = dashboard.browser;
    const command = client.addCommand({ prompt: 'survive a drop' });
    client.setStatus(command.id, 'running');
    await page.locator(`[data-command-id="${command.id}"]`).click();
    client.emitOutput(command.id, 'before-drop\r\n');
    await expect.poll(() => terminalText(page)).toContain('before-drop');
    // While the page is away, output goes only to the log.
    const listening = client.listenerCount;
    expect(dashboard.server.dropConnections()).toBe(1);
    await expect.poll(() => client.listenerCount).toBe(listening - 1);
    client.emitOutput(command.id, 'while-away\r\n');
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 15_000 });
    client.emitOutput(command.id, 'after-return\r\n');
    await expect.poll(() => terminalText(page)).toContain('after-return');
    const text = await terminalText(page);
    expect(text).toMatch(/before-drop\nwhile-away\nafter-return/);
    client.setStatus(command.id, 'completed', { exitCode: 0 });
  });

  it('cancels only after confirming in an in-page dialog', async () => {
    const { page } = dashboard.browser;
    const command = client.addCommand({ prompt: 'cancel me' });
    client.setStatus(command.id, 'running');
    await page.locator(`[data-command-id="${command.id}"]`).click();
    await page.getByTestId('cancel-button').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(client.calls.some((c) => c.action === 'cancel')).toBe(false);
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator(`[data-command-id="${command.id}"][data-status="cancelled"]`).waitFor();
    expect(client.calls.filter((c) => c.action === 'cancel').map((c) => c.args[0])).toEqual([command.id]);
  });

  it('shows the standby banner naming the lock holder and how to stop it', async () => {
    const { page } = dashboard.browser;
    client.update({
      role: 'standby',
      lockHolders: [
        { type: 'bridge', mode: null, pid: 424242, machineId: 'bridge-fake-host', hostname: 'fake-host', version: '1.4.0', startedAt: '2026-11-24T01:00:00.000Z', alive: true, self: false, stopInstruction: 'Stop the Bridge: launchctl unload ~/Library/LaunchAgents/com.mentu.bridge.plist' },
      ],
    });
    const banner = page.getByTestId('standby-banner');
    await banner.waitFor();
    expect(await page.getByTestId('standby-holder').innerText()).toMatch(/Bridge/);
    expect(await page.getByTestId('standby-pid').innerText()).toBe('424242');
    expect(await page.getByTestId('standby-instruction').innerText()).toContain('launchctl unload');
    await page.getByRole('tab', { name: 'Lock holders' }).click();
    const row = page.getByTestId('lock-holder');
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toMatch(/bridge[\s\S]*424242[\s\S]*bridge-fake-host/);
    await screenshot(page, 'standby-lock-holders');
    client.update({ role: 'active', lockHolders: [] });
    await banner.waitFor({ state: 'detached' });
    await page.getByTestId('locks-empty').waitFor();
    await page.getByRole('tab', { name: /Commands/ }).click();
  });

  it('shows a problem banner and, when Supabase reports machines, a Fleet panel', async () => {
    const { page } = dashboard.browser;
    expect(await page.getByRole('tab', { name: 'Fleet' }).count()).toBe(0);
    client.update({
      problem: 'The agent "claude" was not found on PATH. Install it or set its path in Settings.',
      fleet: [
        { id: 'm-1', name: 'studio', hostname: 'studio.local', workspaceId: '9b2f0f7e-0000-4000-8000-000000000001', status: 'online', lastSeenAt: new Date().toISOString(), heartbeatAgeSeconds: 12, stale: false, self: true },
        { id: 'm-2', name: 'old-laptop', hostname: null, workspaceId: '9b2f0f7e-0000-4000-8000-000000000001', status: 'online', lastSeenAt: null, heartbeatAgeSeconds: 4000, stale: true, self: false },
      ],
    });
    expect(await page.getByTestId('problem-banner').innerText()).toMatch(/was not found on PATH/);
    await page.getByRole('tab', { name: 'Fleet' }).click();
    const table = page.getByTestId('fleet-table');
    await table.waitFor();
    expect(await table.innerText()).toMatch(/studio[\s\S]*this machine[\s\S]*old-laptop[\s\S]*stale/);
    client.update({ problem: null, fleet: [] });
    await page.getByTestId('problem-banner').waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: /Commands/ }).click();
  });

  it('sends the Supabase key write-only and shows only whether one is stored', async () => {
    const { page } = dashboard.browser;
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByTestId('settings-form').waitFor();
    expect(await page.getByTestId('key-status').innerText()).toBe('not stored');
    const key = page.getByLabel(/Service key/);
    expect(await key.getAttribute('type')).toBe('password');
    await key.fill('sb-secret-key-value');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('key-status').innerText()).toBe('stored');
    expect(await key.inputValue()).toBe('');
    expect(await page.content()).not.toContain('sb-secret-key-value');
    const update = client.calls.find((c) => c.action === 'updateSettings');
    expect(update?.args[0]).toEqual({ supabaseKey: 'sb-secret-key-value' });
    await page.getByRole('tab', { name: /Commands/ }).click();
  });

  it('stays responsive during a 20 MB flood', async () => {
    const { page } = dashboard.browser;
    const command = client.addCommand({ prompt: 'flood' });
    client.setStatus(command.id, 'running');
    await page.locator(`[data-command-id="${command.id}"]`).click();
    await startProbe(page);
    const flood = client.flood(command.id, 20 * 1024 * 1024, 64 * 1024, 16);
    const result = await measureWhile(page, flood);
    client.setStatus(command.id, 'completed', { exitCode: 0 });
    console.log(`fake-client flood: input latency p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms over ${result.samples} presses; ${result.fps.toFixed(1)} fps`);
    expect(result.samples).toBeGreaterThan(5);
    expect(result.p95).toBeLessThan(500);
    // It caught up: the tail of the log is on screen.
    await expect.poll(() => page.getByTestId('terminal').getAttribute('data-log-offset'), { timeout: 30_000 }).toBe(String(20 * 1024 * 1024));
    await expect.poll(() => terminalText(page)).toContain('flood-0123456789');
  });
  it('shows "auth failed" with the reason when the dashboard restarts with a new token', async () => {
    const { page } = dashboard.browser;
    const port = dashboard.server.port;
    await dashboard.server.close();
    await page.locator('[data-testid="connection"]:not([data-state="connected"])').waitFor({ timeout: 10_000 });
    dashboard.server = await startDashboard({ client, port, staticDir: RENDERER_DIR });
    const connection = page.locator('[data-testid="connection"][data-state="auth_failed"]');
    await connection.waitFor({ timeout: 15_000 });
    expect(await connection.innerText()).toMatch(/Auth failed[\s\S]*token is missing or wrong/);
    await screenshot(page, 'auth-failed');
    // Opening the new printed URL gets in again.
    await page.goto(dashboard.server.url);
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 15_000 });
  });
});
