import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRunSummary } from '../../src-main/core/contract/run-summary.js';
import { createLocalSource } from '../../src-main/core/commands/local/index.js';
import { makeSandbox, readRow, startExecutor, stopExecutor, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { ensureRendererBuilt, openBrowser, screenshot, type BrowserSession } from '../support/browser.js';
import { FakeBeaconClient } from './fake-client.js';
import { useFakeDashboard } from './fake-dashboard.js';

/** The approval gate in the UI: Approve/Reject on a command awaiting approval, against a fake client and the real executor. */

const item = (id: string) => `[data-testid="command-item"][data-command-id="${id}"]`;

const decisions = (client: FakeBeaconClient) => client.calls.filter((call) => call.action === 'decideApproval').map((call) => call.args);

/** Tab from the focused element until `testId` has the focus (keyboard reachability). */
async function tabTo(page: Page, testId: string, maxPresses = 25): Promise<boolean> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return true;
  }
  return false;
}

describe('approval in the dashboard UI against a fake client', () => {
  const dashboard = useFakeDashboard();
  const { client } = dashboard;

  it('marks a command awaiting approval in the list and offers Approve/Reject only for it', async () => {
    const { page } = dashboard.browser;
    const started = new Date(Date.now() - 5000).toISOString();
    const done = client.addCommand({ status: 'completed', prompt: 'an earlier command', startedAt: started, exitCode: 0 });
    client.setStatus(done.id, 'completed');
    const running = client.addCommand({ status: 'running', prompt: 'still working', startedAt: started });
    const waiting = client.addCommand({
      status: 'awaiting_approval',
      prompt: 'Refactor the parser',
      workingDirectory: '/tmp/project',
      startedAt: started,
      summary: { ...emptyRunSummary(), durationMs: 3200, resultSubtype: 'success' },
      approvalRequired: true,
      onApprove: 'npm test && git push origin HEAD',
    });
    await page.locator(`${item(waiting.id)} [data-testid="needs-approval"]`).waitFor();
    // Its run is over: the list shows how long it ran, not a clock still ticking.
    expect(await page.locator(`${item(waiting.id)} .command-meta`).innerText()).toContain('ran 3.2 s');
    expect(await page.locator(`${item(running.id)} .command-meta`).innerText()).toMatch(/running \d/);
    expect(await page.locator('[data-testid="needs-approval"]').count()).toBe(1);
    expect(await page.getByRole('tab', { name: /Commands/ }).innerText()).toBe('Commands (3, 1 to approve)');
    // It sorts with the running command, above the finished ones.
    const order = await page.locator('[data-testid="command-item"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-command-id')));
    expect(order.indexOf(waiting.id)).toBeLessThan(order.indexOf(done.id));
    expect(order.indexOf(running.id)).toBeLessThan(order.indexOf(done.id));

    await page.locator(item(running.id)).click();
    await page.getByTestId('cancel-button').waitFor();
    expect(await page.getByTestId('approval-actions').count()).toBe(0);
    await page.locator(item(done.id)).click();
    await page.getByTestId('requeue-button').waitFor();
    expect(await page.getByTestId('approval-actions').count()).toBe(0);

    await page.locator(item(waiting.id)).click();
    const group = page.getByRole('group', { name: 'Approval' });
    await group.waitFor();
    expect(await page.getByTestId('approval-on-approve').innerText()).toBe('npm test && git push origin HEAD');
    expect(await page.getByRole('button', { name: 'Approve…' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Reject…' }).isEnabled()).toBe(true);
    await screenshot(page, 'approval-1-awaiting');
  });

  it('approves from the keyboard after a confirmation that shows on_approve; the buttons are disabled while the call runs', async () => {
    const { page } = dashboard.browser;
    const waiting = client.snapshot.commands.find((c) => c.status === 'awaiting_approval')!;
    // The dialog can be closed without a decision.
    await page.getByTestId('approve-button').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByRole('button', { name: 'Not now' }).click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    expect(decisions(client)).toEqual([]);

    // Keyboard only: Tab from the selected row reaches Approve; Enter opens the dialog.
    await page.locator(item(waiting.id)).focus();
    expect(await tabTo(page, 'approve-button')).toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').innerText()).toBe('Approve this command?');
    expect(await dialog.innerText()).toContain('/tmp/project');
    expect(await page.getByTestId('confirm-on-approve').innerText()).toBe('npm test && git push origin HEAD');

    let release!: () => void;
    client.approvalGate = new Promise<void>((resolve) => (release = resolve));
    // The safe choice has the focus; Tab moves to the confirm button.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Not now');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm-ok');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid="approve-button"][disabled]').waitFor();
    expect(await page.getByTestId('approve-button').innerText()).toBe('Approving…');
    expect(await page.getByTestId('reject-button').isDisabled()).toBe(true);
    expect(decisions(client)).toEqual([[waiting.id, 'approved']]);
    await screenshot(page, 'approval-2-sending');

    client.approvalGate = null;
    release();
    // approved, then completed when on_approve finished (the fake's 100 ms).
    await page.locator(`${item(waiting.id)}[data-status="completed"]`).waitFor();
    await page.getByTestId('approval-actions').waitFor({ state: 'detached' });
    expect(await page.getByTestId('detail-exit-code').innerText()).toBe('0');
    expect(await page.locator('[data-testid="notice"]').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining(`Approved ${waiting.id}`)]));
    expect(await page.locator('[data-testid="needs-approval"]').count()).toBe(0);
    expect(await page.getByRole('tab', { name: /Commands/ }).innerText()).toBe('Commands (3)');
    expect(decisions(client)).toEqual([[waiting.id, 'approved']]);
  });

  it('rejects after a confirmation: decideApproval(id, rejected) and the command shows failed with the reason', async () => {
    const { page } = dashboard.browser;
    const waiting = client.addCommand({ status: 'awaiting_approval', prompt: 'Delete the old branch', approvalRequired: true, onApprove: null });
    await page.locator(item(waiting.id)).click();
    await page.getByTestId('approval-actions').waitFor();
    // Without on_approve the panel and the dialog say that approval only completes it.
    expect(await page.getByTestId('approval-on-approve').count()).toBe(0);
    await page.getByTestId('approve-button').click();
    expect(await page.getByTestId('confirm-dialog').innerText()).toContain("completes with the agent's own result");
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });

    await page.getByTestId('reject-button').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').innerText()).toBe('Reject this command?');
    expect(await page.getByTestId('confirm-ok').innerText()).toBe('Reject');
    await page.getByTestId('confirm-ok').click();
    await page.locator(`${item(waiting.id)}[data-status="failed"]`).waitFor();
    expect(await page.getByTestId('command-error').innerText()).toBe('Command rejected by user');
    expect(await page.getByTestId('approval-actions').count()).toBe(0);
    expect(decisions(client).at(-1)).toEqual([waiting.id, 'rejected']);
  });

  it('shows why a decision failed and lets the user try again', async () => {
    const { page } = dashboard.browser;
    const waiting = client.addCommand({ status: 'awaiting_approval', prompt: 'Bump the version', approvalRequired: true, onApprove: 'npm version patch' });
    await page.locator(item(waiting.id)).click();
    client.approvalFailure = 'The executor is stopping; try again when it runs';
    await page.getByTestId('approve-button').click();
    await page.getByTestId('confirm-ok').click();
    const error = page.getByTestId('approval-error');
    await error.waitFor();
    expect(await error.innerText()).toBe('Approve failed: The executor is stopping; try again when it runs');
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('approve-button').isEnabled()).toBe(true);
    expect(await page.locator(item(waiting.id)).getAttribute('data-status')).toBe('awaiting_approval');
    await screenshot(page, 'approval-3-error');

    // A refusal from the core ({ ok: false }) is shown the same way: someone else decided first.
    client.approvalFailure = null;
    client.command(waiting.id).status = 'approved';
    await page.getByTestId('reject-button').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => error.innerText()).toBe(`Command ${waiting.id} is not awaiting approval (it is approved)`);
    expect(decisions(client).slice(-2)).toEqual([
      [waiting.id, 'approved'],
      [waiting.id, 'rejected'],
    ]);
  });
});

/** Written straight into the local queue as another process could (`beacon enqueue --on-approve` is tested in tests/cli/enqueue-options). */
async function enqueueForApproval(s: Sandbox, prompt: string, onApprove: string | null): Promise<string> {
  const source = createLocalSource({ file: join(s.home, 'local.db'), machineId: 'test-enqueuer', defaultAgent: 'fake' });
  try {
    return (await source.enqueue({ prompt, workingDirectory: s.work, approvalRequired: true, onApprove })).id;
  } finally {
    await source.stop();
  }
}

describe('approval in the dashboard of `beacon run --dashboard`', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureRendererBuilt();
    sandbox = makeSandbox();
    executor = startExecutor(sandbox, ['--dashboard', '--port', '0']);
    await executor.ready;
    await waitFor('the dashboard URL', () => /Dashboard: /.test(executor.stdout())).catch(() => {});
    const match = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(executor.stdout());
    if (!match) throw new Error(`no dashboard URL in the output:\n${executor.stdout()}\n${executor.stderr()}`);
    browser = await openBrowser({ width: 1280, height: 800 });
    await browser.page.goto(match[1]!);
    await browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (executor) await stopExecutor(executor);
    sandbox?.cleanup();
  });

  it('approving in the UI runs on_approve in the command directory; the command ends completed with its exit code', async () => {
    const { page } = browser;
    const marker = join(sandbox.root, 'on-approve-cwd');
    const onApprove = `pwd > ${marker}; echo approved-from-the-ui`;
    const id = await enqueueForApproval(sandbox, 'Tidy the README\n@agent lines=2 exit=0', onApprove);
    const row = page.locator(item(id));
    await page.locator(`${item(id)}[data-status="awaiting_approval"]`).waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('needs-approval').isVisible()).toBe(true);
    await row.click();
    expect(await page.getByTestId('approval-on-approve').innerText()).toBe(onApprove);
    expect(existsSync(marker)).toBe(false);

    await page.getByTestId('approve-button').click();
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.getByTestId('confirm-on-approve').innerText()).toBe(onApprove);
    expect(await page.getByTestId('confirm-dialog').innerText()).toContain(sandbox.work);
    await page.getByTestId('confirm-ok').click();

    await page.locator(`${item(id)}[data-status="completed"]`).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('detail-exit-code').innerText()).toBe('0');
    expect(await row.getByTestId('exit-code').innerText()).toBe('exit 0');
    expect(readRow(sandbox, id)).toMatchObject({ status: 'completed', exit_code: 0 });
    // on_approve ran, once, in the command's directory.
    expect(readFileSync(marker, 'utf8').trim()).toBe(sandbox.work);
    expect(await page.getByTestId('approval-actions').count()).toBe(0);
    await screenshot(page, 'approval-live-completed');
  }, 90_000);

  it('rejecting in the UI ends the command failed without running on_approve', async () => {
    const { page } = browser;
    const marker = join(sandbox.root, 'must-not-exist');
    const id = await enqueueForApproval(sandbox, 'Risky change\n@agent lines=1 exit=0', `touch ${marker}`);
    await page.locator(`${item(id)}[data-status="awaiting_approval"]`).waitFor({ timeout: 30_000 });
    await page.locator(item(id)).click();
    await page.getByTestId('reject-button').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator(`${item(id)}[data-status="failed"]`).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('command-error').innerText()).toBe('Command rejected by user');
    expect(readRow(sandbox, id)).toMatchObject({ status: 'failed', error_message: 'Command rejected by user' });
    expect(existsSync(marker)).toBe(false);
  }, 60_000);
});
