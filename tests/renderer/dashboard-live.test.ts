import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { waitFor } from '../support/wait.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, makeSandbox, startExecutor, stopExecutor, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { ensureRendererBuilt, openBrowser, screenshot, terminalText, type BrowserSession } from '../support/browser.js';
import { measureWhile, startProbe } from './latency.js';
import { CLAUDE_VERSION, useRealClaude, type ClaudeHome } from '../support/real-claude.js';
import { startModelServer, turn, userTexts, type ModelServer } from '../model-server/index.js';

/**
 * The UI in Chromium against the real headless executor: `beacon run --dashboard --port 0` with the local
 * queue, commands enqueued with `beacon enqueue`. A Claude session runs the REAL claude CLI against the scripted
 * model server; the stand-in agent stays for the timed lines, the cancel of a long run and the 20 MB flood.
 */

const compact = (text: string) => text.replace(/\s+/g, '');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function statusOf(id: string): string {
  return `[data-testid="command-item"][data-command-id="${id}"]`;
}

describe('the dashboard of `beacon run --dashboard`', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess;
  let browser: BrowserSession;
  let dashboardUrl: string;
  let model: ModelServer;
  let claudeHome: ClaudeHome;

  beforeAll(async () => {
    ensureRendererBuilt();
    model = await startModelServer();
    // The whole 20 MB flood stays in the log, so replays can read all of it.
    sandbox = makeSandbox({ max_output_bytes: 64 * 1024 * 1024 });
    claudeHome = useRealClaude(sandbox, model, { makeDefault: false, extraArgs: ['--allowedTools', 'Bash'] });
    sandbox.env.BEACON_LOG_LEVEL = 'debug'; // the pause test waits on the claim loop's decisions
    executor = startExecutor(sandbox, ['--dashboard', '--port', '0']);
    await executor.ready;
    await waitFor('the dashboard URL', () => /Dashboard: /.test(executor.stdout())).catch(() => {});
    const match = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(executor.stdout());
    if (!match) throw new Error(`no dashboard URL in the output:\n${executor.stdout()}\n${executor.stderr()}`);
    dashboardUrl = match[1]!;
    browser = await openBrowser({ width: 1280, height: 800 });
    await browser.page.goto(dashboardUrl);
    await browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    if (executor) await stopExecutor(executor);
    await model?.stop();
    sandbox?.cleanup();
    claudeHome?.cleanup();
  });

  it('refuses requests without the token', async () => {
    const port = Number(new URL(dashboardUrl).port);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(401);
  });

  it('shows a command from `beacon enqueue`: pending, running with live output, completed with its exit code', async () => {
    const { page } = browser;
    // Paused first, so the pending state can be seen (an idle executor claims within a second).
    await page.getByTestId('pause-toggle').click();
    await page.locator('[data-testid="pause-toggle"][aria-pressed="true"]').waitFor();
    const id = enqueue(sandbox, 'Write a haiku\n@agent lines=10 interval=400 exit=0');
    await page.locator(`${statusOf(id)}[data-status="pending"]`).waitFor({ timeout: 15_000 });
    await page.locator(statusOf(id)).click();
    await screenshot(page, 'live-1-pending');

    await page.getByTestId('pause-toggle').click();
    await page.locator(`${statusOf(id)}[data-status="running"]`).waitFor({ timeout: 15_000 });
    // Output appears while the command is still running, line by line.
    await expect.poll(async () => compact(await terminalText(page)), { timeout: 15_000 }).toContain('working2/10');
    expect(compact(await terminalText(page))).not.toContain('working10/10');
    expect(await page.locator(statusOf(id)).getAttribute('data-status')).toBe('running');
    await screenshot(page, 'live-2-running');

    await page.locator(`${statusOf(id)}[data-status="completed"]`).waitFor({ timeout: 20_000 });
    expect(await page.locator(`${statusOf(id)} [data-testid="exit-code"]`).innerText()).toBe('exit 0');
    expect(await page.getByTestId('detail-exit-code').innerText()).toBe('0');
    await expect.poll(async () => compact(await terminalText(page))).toContain('working10/10');
    // Every line once: replayed and live text did not overlap.
    const text = compact(await terminalText(page));
    for (let i = 1; i <= 10; i++) expect(text.split(`working${i}/10`).length - 1, `line ${i}`).toBe(1);
    expect(await page.getByTestId('command-detail').innerText()).toMatch(/claude-stand-in-1/);
    // The stream-json is shown readable; the Raw switch shows the JSON the agent wrote.
    expect(text).toContain('✔Done·1.2s·2turns·$0.0123');
    expect(text).not.toContain('"type"');
    await page.getByTestId('output-mode-raw').click();
    await expect.poll(async () => compact(await terminalText(page))).toContain('"type":"result"');
    await page.getByTestId('output-mode-readable').click();
    await expect.poll(async () => compact(await terminalText(page))).toContain('✔Done');
    await screenshot(page, 'live-3-completed');
  }, 90_000);

  it('a real claude session: output live while it runs, its summary when done, then a Follow up that resumes it', async () => {
    const { page } = browser;
    model.reset();
    model.script(
      turn.tool('Bash', { command: 'sleep 2; echo step-one-done', description: 'slow step' }, { say: 'Starting step one.' }),
      turn.text('All done with step one.'),
    );
    const id = enqueue(sandbox, 'do step one', ['--agent', 'claude']);
    await page.locator(statusOf(id)).click();
    await page.locator(`${statusOf(id)}[data-status="running"]`).waitFor({ timeout: 30_000 });
    await expect.poll(async () => compact(await terminalText(page)), { timeout: 20_000 }).toContain('Startingstepone.');
    expect(await page.locator(statusOf(id)).getAttribute('data-status')).toBe('running');
    await page.locator(`${statusOf(id)}[data-status="completed"]`).waitFor({ timeout: 30_000 });
    await expect.poll(async () => compact(await terminalText(page))).toContain('Alldonewithstepone.');
    const detail = await page.getByTestId('command-detail').innerText();
    expect(detail).toContain(CLAUDE_VERSION);
    expect(detail).toMatch(/Tokens\s+\d+ in, \d+ out/);
    await screenshot(page, 'live-claude-1-completed');

    model.reset();
    model.script(turn.text('Continuing where we left off.'));
    await page.getByTestId('follow-up-button').click();
    await page.getByTestId('follow-up-input').fill('- now step two');
    await page.getByTestId('follow-up-send').click();
    await expect.poll(() => model.messageRequests().length, { timeout: 30_000 }).toBe(1);
    const [call] = model.messageRequests();
    expect(userTexts(call!)).toEqual(['do step one', '- now step two']);
    await page.getByTestId('notice').filter({ hasText: `Follow-up of ${id} queued as` }).waitFor();
    await screenshot(page, 'live-claude-2-follow-up');
  }, 90_000);

  it('keeps a command pending while paused and runs it after resume', async () => {
    const { page } = browser;
    await page.getByTestId('pause-toggle').click();
    await page.getByTestId('paused-banner').waitFor();
    const passes = executor.stderr().split('not claiming (paused').length;
    const id = enqueue(sandbox, '@agent lines=1 exit=3');
    await page.locator(`${statusOf(id)}[data-status="pending"]`).waitFor({ timeout: 15_000 });
    await waitFor('a claim pass after the enqueue', () => executor.stderr().split('not claiming (paused').length > passes);
    expect(await page.locator(statusOf(id)).getAttribute('data-status')).toBe('pending');
    await page.getByTestId('pause-toggle').click();
    await page.getByTestId('paused-banner').waitFor({ state: 'detached' });
    await page.locator(`${statusOf(id)}[data-status="failed"]`).waitFor({ timeout: 20_000 });
    expect(await page.locator(`${statusOf(id)} [data-testid="exit-code"]`).innerText()).toBe('exit 3');
  }, 60_000);

  it('cancels a running command from the UI: its process is gone and it shows cancelled', async () => {
    const { page } = browser;
    const pidfile = join(sandbox.root, 'cancel-me.pid');
    const id = enqueue(sandbox, `@agent lines=200 interval=200 pidfile=${pidfile}`);
    await page.locator(`${statusOf(id)}[data-status="running"]`).waitFor({ timeout: 15_000 });
    // The agent may be half way through writing the file: wait for whole JSON.
    const readPid = (): number | null => {
      try {
        return (JSON.parse(readFileSync(pidfile, 'utf8')) as { pid: number }).pid;
      } catch {
        return null;
      }
    };
    await expect.poll(readPid, { timeout: 10_000 }).not.toBeNull();
    const pid = readPid()!;
    expect(alive(pid)).toBe(true);
    await page.locator(statusOf(id)).click();
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-ok').click();
    await page.locator(`${statusOf(id)}[data-status="cancelled"]`).waitFor({ timeout: 20_000 });
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await screenshot(page, 'live-4-cancelled');
  }, 60_000);

  it('names the holder of the executor lock', async () => {
    const { page } = browser;
    await page.getByRole('tab', { name: 'Lock holders' }).click();
    const row = page.getByTestId('lock-holder').filter({ hasText: String(executor.child.pid) });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/beacon[\s\S]*headless[\s\S]*beacon-engine-test/);
    expect(await row.innerText()).toContain('this process');
    await screenshot(page, 'live-5-lock-holders');
    await page.getByRole('tab', { name: /Commands/ }).click();
  });

  it('stays responsive while a command prints 20 MB', async () => {
    const { page } = browser;
    const id = enqueue(sandbox, '@agent bytes=20971520 chunk=65536');
    await page.locator(`${statusOf(id)}[data-status="running"]`).waitFor({ timeout: 30_000 });
    await page.locator(statusOf(id)).click();
    await startProbe(page);
    const finished = page.locator(`${statusOf(id)}[data-status="completed"]`).waitFor({ timeout: 120_000 });
    const result = await measureWhile(page, finished, 50);
    console.log(
      `live 20 MB flood: input latency p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms ` +
        `over ${result.samples} key presses; ${result.fps.toFixed(1)} frames/s`,
    );
    expect(result.samples).toBeGreaterThanOrEqual(3);
    expect(result.p95).toBeLessThan(500);
    // The page caught up with the end of the log and shows its tail.
    await expect.poll(async () => compact(await terminalText(page)), { timeout: 30_000 }).toContain('✔Done'); // the result line, readable
    await screenshot(page, 'live-6-flood');
  }, 150_000);
});
