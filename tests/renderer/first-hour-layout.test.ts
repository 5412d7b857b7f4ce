import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_DETACHED_SIZE, DEFAULT_POPOVER_SIZE } from '../../src-main/electron/window-position.js';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRendererBuilt, openBrowser, screenshot, type BrowserSession } from '../support/browser.js';
import { enqueue, insertRow, makeSandbox, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';

/**
 * The window at its real sizes (issue 18, points 3, 4 and 7), in Chromium against a real `beacon run
 * --dashboard`: the menu-bar popover (380 px wide) and a detached window. Long paths, a long error and a
 * long prompt stay inside the window; the New command form queues through the Beacon API with the same
 * checks as `beacon enqueue`; the history can be searched and filtered. Screenshots: test-artifacts/ui/.
 */
const SIZES = { popover: DEFAULT_POPOVER_SIZE, detached: DEFAULT_DETACHED_SIZE } as const;
type SizeName = keyof typeof SIZES;

const item = (id: string) => `[data-testid="command-item"][data-command-id="${id}"]`;

/** Show a command: in the popover the list and a command take turns, so go back to the list first. */
async function openCommand(page: Page, id: string): Promise<void> {
  const back = page.getByTestId('back-to-list');
  if (await back.isVisible()) await back.click();
  await page.locator(item(id)).click();
}

async function showList(page: Page): Promise<void> {
  const back = page.getByTestId('back-to-list');
  if (await back.isVisible()) await back.click();
}

/** Elements sticking out of the window (a horizontal scroll bar, text running out of its box). */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > width + 1) found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
    const selectors = [
      '.app-header > *', '.banner', '.command-toolbar > *', '.command-item', '.command-item > span', '.detail', '.detail-head > *',
      '.field', '[data-testid="command-error"]', '.prompt-box', '.new-command', '.new-command .row', '.settings', '.settings .row', '.notice',
    ];
    for (const element of document.querySelectorAll<HTMLElement>(selectors.join(','))) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown
      const label = `${element.className || element.tagName} "${(element.textContent ?? '').trim().slice(0, 40)}"`;
      if (box.right > width + 1 || box.left < -1) found.push(`${label} spans ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
      // Text that wraps stays within its own box too (no hidden overflow of an error or a path).
      if (element.matches('[data-testid="command-error"], .banner, .field, .notice') && element.scrollWidth > element.clientWidth + 1) {
        found.push(`${label} overflows its box (${element.scrollWidth} > ${element.clientWidth})`);
      }
    }
    return found;
  });
}

describe('the window at the popover and detached sizes', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess;
  let browser: BrowserSession;
  const pages = {} as Record<SizeName, Page>;
  const ids = {} as Record<'done' | 'long' | 'failed' | 'running', string>;
  let deepDir: string;

  beforeAll(async () => {
    ensureRendererBuilt();
    sandbox = makeSandbox({ max_concurrent: 2 }); // a long run keeps one slot busy
    // An agent that is not installed, looked up on a long PATH: its refusal is the long error to lay out.
    const config = JSON.parse(readFileSync(join(sandbox.home, 'beacon.yaml'), 'utf8')) as { agents: Record<string, unknown> };
    config.agents.missing = { command: 'claude-not-installed', args: ['-p', '{prompt}'] };
    writeFileSync(join(sandbox.home, 'beacon.yaml'), JSON.stringify(config, null, 2));
    const longPath = Array.from({ length: 12 }, (_, i) => `/opt/toolchains/very-long-vendor-directory-name-${i}/versions/2026.01.${i}/bin`).join(':');
    sandbox.env.PATH = `${longPath}:${sandbox.env.PATH ?? ''}`;
    deepDir = join(sandbox.work, 'customers', 'a-customer-with-a-rather-long-name', 'projects', 'the-project-whose-folder-name-goes-on-and-on-and-on');
    mkdirSync(deepDir, { recursive: true });

    executor = startExecutor(sandbox, ['--dashboard', '--port', '0']);
    await executor.ready;
    await waitFor('the dashboard URL', () => /Dashboard: \S+/.test(executor.stdout()));
    const url = /Dashboard: (\S+)/.exec(executor.stdout())![1]!;

    ids.done = enqueue(sandbox, 'Write release notes for 0.2\n@agent lines=2 interval=50');
    ids.long = enqueue(sandbox, `Refactor the billing module so that invoices, credit notes and refunds share one ledger-backed pipeline; ${'keep every public API stable and document each step. '.repeat(12)}\n@agent lines=1`, ['--cwd', deepDir]);
    // A row the executor refuses when it comes to it (`beacon enqueue` would refuse it up front).
    ids.failed = insertRow(sandbox, { prompt: 'Summarise the README', agent: 'missing' });
    await waitForStatus(sandbox, ids.done, ['completed']);
    await waitForStatus(sandbox, ids.long, ['completed']);
    await waitForStatus(sandbox, ids.failed, ['failed']);
    ids.running = enqueue(sandbox, 'Migrate the test suite to the new runner\n@agent lines=400 interval=250');
    await waitForStatus(sandbox, ids.running, ['running']);

    browser = await openBrowser(SIZES.popover);
    pages.popover = browser.page;
    pages.detached = await browser.context.newPage();
    await pages.detached.setViewportSize(SIZES.detached);
    for (const page of Object.values(pages)) {
      await page.goto(url);
      await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
      await page.locator(item(ids.running)).waitFor();
    }
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (executor) await stopExecutor(executor);
    sandbox?.cleanup();
  });

  for (const size of Object.keys(SIZES) as SizeName[]) {
    it(`${size}: the list, a running command, a failed command with a long error, the New command form and Settings fit`, async () => {
      const page = pages[size];
      await page.locator(item(ids.done)).waitFor();
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `${size}-1-list`);

      await openCommand(page, ids.running);
      await page.locator('[data-testid="command-detail"]').getByText(ids.running).waitFor();
      await expect.poll(() => page.locator('[data-testid="terminal"] .xterm-rows').innerText(), { timeout: 10_000 }).toMatch(/working \d+\/400/);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `${size}-2-running`);

      await openCommand(page, ids.long);
      const directory = page.getByTestId('detail-directory');
      expect(await directory.innerText()).toBe(deepDir); // the whole path, wrapped, not cut
      expect(await overflowing(page)).toEqual([]);

      await openCommand(page, ids.failed);
      const error = page.getByTestId('command-error');
      await error.waitFor();
      expect(await error.innerText()).toMatch(/command 'claude-not-installed' was not found on PATH/);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `${size}-3-failed-long-error`);
      // The full text on demand.
      await error.getByRole('button', { name: 'Show all' }).click();
      expect(await error.innerText()).toContain('very-long-vendor-directory-name-11');
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `${size}-4-failed-long-error-expanded`);

      await page.getByTestId('output-never-started').waitFor();
      await showList(page);
      await page.getByTestId('new-command-button').click();
      await page.getByTestId('new-command-prompt').waitFor();
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `${size}-5-new-command`);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByTestId('new-command-form').waitFor({ state: 'detached' });

      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.getByTestId('agent-status').waitFor();
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `${size}-6-settings`);
      await page.getByRole('tab', { name: /Commands/ }).click();
    }, 60_000);
  }

  it('the New command form queues through the Beacon API: a refusal says why and queues nothing, a good one runs', async () => {
    const page = pages.popover;
    await showList(page);
    await page.getByTestId('new-command-button').click();
    const directory = page.getByTestId('new-command-directory');
    await directory.waitFor(); // the choices have arrived
    // The most recent allowed directory is proposed first.
    expect(await directory.inputValue()).toBe(sandbox.work);
    // Offered: the recent directories still allowed, then the allowed folders.
    const offered = await page.locator('#new-command-directories option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(expect.arrayContaining([deepDir, sandbox.work]));
    expect(await page.getByTestId('new-command-agent').locator('option').allInnerTexts()).toEqual(['fake', 'missing']);
    const before = await page.locator('[data-testid="command-item"]').count();

    await page.getByTestId('new-command-prompt').fill('Tidy the changelog\n@agent lines=3 interval=50');
    await directory.fill(sandbox.root);
    await page.getByTestId('new-command-submit').click();
    const refusal = page.getByTestId('new-command-error');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/Not queued: working directory '.*' is outside the allowed directories/);
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'popover-7-new-command-refused');
    expect(await page.locator('[data-testid="command-item"]').count()).toBe(before);

    await directory.fill(deepDir);
    await page.getByTestId('new-command-timeout').fill('2');
    await page.getByTestId('new-command-submit').click();
    await page.getByTestId('new-command-form').waitFor({ state: 'detached' });
    const selected = page.locator('[data-testid="command-item"][aria-current="true"]');
    const id = (await selected.getAttribute('data-command-id'))!;
    const row = await waitForStatus(sandbox, id, ['completed', 'failed']);
    expect(row.status).toBe('completed');
    await page.locator(`${item(id)}[data-status="completed"]`).waitFor({ state: 'attached' });
    const shown = await page.getByTestId('command-detail').innerText();
    expect(shown).toContain(deepDir);
    expect(shown).toContain('Tidy the changelog');
  }, 60_000);

  it('search and the status filter narrow the history', async () => {
    const page = pages.detached;
    await page.getByTestId('command-search').fill('release notes');
    await expect.poll(() => page.locator('[data-testid="command-item"]').count()).toBe(1);
    expect(await page.locator(item(ids.done)).count()).toBe(1);
    await page.getByTestId('command-search').fill('a-customer-with-a-rather-long-name'); // a folder
    await expect.poll(() => page.locator('[data-testid="command-item"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-command-id')))).toContain(ids.long);
    await page.getByTestId('command-search').fill(ids.failed.slice(0, 8)); // an id as shown
    await expect.poll(() => page.locator('[data-testid="command-item"]').count()).toBe(1);
    await page.getByTestId('command-search').fill('');
    await page.getByTestId('command-status-filter').selectOption('failed');
    await expect.poll(() => page.locator('[data-testid="command-item"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(['failed']);
    expect(await page.getByTestId('command-count').innerText()).toMatch(/^1 of \d+$/);
    await page.getByTestId('command-search').fill('nothing matches this');
    await page.getByTestId('commands-none-match').waitFor();
    await screenshot(page, 'detached-7-filter-none');
    await page.getByTestId('command-search').fill('');
    await page.getByTestId('command-status-filter').selectOption('all');
  });

  it('an edit of beacon.yaml that waits for a restart, or is invalid, is shown in the window; fixing it clears it', async () => {
    const page = pages.popover;
    const file = join(sandbox.home, 'beacon.yaml');
    const good = readFileSync(file, 'utf8');
    const config = JSON.parse(good) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...config, command_source: 'supabase', supabase: { url: 'https://example.supabase.co' } }, null, 2));
    const restart = page.getByTestId('restart-banner');
    await restart.waitFor({ timeout: 15_000 });
    expect(await restart.innerText()).toBe('Restart Beacon to use the new command_source, supabase.url (changed in beacon.yaml; it runs with the old value until then).');
    writeFileSync(file, good.replace('"max_concurrent": 2', '"max_concurrent": "two"'));
    const invalid = page.getByTestId('config-error-banner');
    await invalid.waitFor({ timeout: 15_000 });
    expect(await invalid.innerText()).toMatch(/^Your last edit of beacon.yaml was not applied: Invalid configuration in .* at line \d+, column \d+: execution.max_concurrent/);
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'popover-9-config-edit-not-applied');
    writeFileSync(file, good);
    await invalid.waitFor({ state: 'detached', timeout: 15_000 });
    await restart.waitFor({ state: 'detached', timeout: 15_000 });
  }, 60_000);

  it('the subtitle says paused while paused, and claiming again after resume', async () => {
    const page = pages.popover;
    expect(await page.getByTestId('role').innerText()).toBe('claiming');
    await page.getByTestId('pause-toggle').click();
    await page.getByTestId('paused-banner').waitFor();
    await expect.poll(() => page.getByTestId('role').innerText()).toBe('paused');
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'popover-8-paused');
    await page.getByTestId('pause-toggle').click();
    await expect.poll(() => page.getByTestId('role').innerText()).toBe('claiming');
  });
});
