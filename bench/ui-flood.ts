/**
 * Input latency and frames per second of the dashboard page while 20 MB of output streams into the
 * selected command's terminal: the real dashboard server and UI in Chromium, fed either by the in-memory
 * client (64 KB chunks every 16 ms — the core's batching cadence — and then as fast as possible) or, with
 * --real, by `beacon run --dashboard` running the stand-in agent (`@agent bytes=N`).
 *   npx tsx bench/ui-flood.ts [--mb 20] [--real]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startDashboard } from '../src-main/cli/dashboard/server.js';
import { FakeBeaconClient } from '../tests/renderer/fake-client.js';
import { ensureRendererBuilt, openBrowser, RENDERER_DIR, terminalText } from '../tests/support/browser.js';
import { measureWhile, startProbe } from '../tests/renderer/latency.js';
import { enqueue, makeSandbox, startExecutor, stopExecutor } from '../tests/support/local-sandbox.js';

const mbIndex = process.argv.indexOf('--mb');
const megabytes = mbIndex > 0 ? Number(process.argv[mbIndex + 1]) : 20;
const totalBytes = megabytes * 1024 * 1024;
const real = process.argv.includes('--real');

const item = (id: string) => `[data-testid="command-item"][data-command-id="${id}"]`;

/** Selects the command, measures while `finished` is pending, then waits for the page to show the log's end. */
async function measure(page: Page, label: string, id: string, finished: Promise<unknown>, logBytes: () => number): Promise<void> {
  await page.locator(item(id)).click();
  await startProbe(page);
  const started = performance.now();
  const result = await measureWhile(page, finished, 50);
  const floodSeconds = (performance.now() - started) / 1000;
  const caughtUpStart = performance.now();
  await page.waitForFunction((bytes) => Number(document.querySelector('[data-testid="terminal"]')?.getAttribute('data-log-offset')) >= bytes, logBytes(), {
    timeout: 60_000,
  });
  const caughtUp = (performance.now() - caughtUpStart) / 1000;
  const tailShown = (await terminalText(page)).includes('flood-0123456789');
  console.log(
    `${label}: ${megabytes} MB in ${floodSeconds.toFixed(1)} s; input latency p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, ` +
      `max ${result.max.toFixed(1)} ms (${result.samples} key presses; press round trip p95 ${result.pressP95.toFixed(1)} ms); ` +
      `${result.fps.toFixed(1)} frames/s; caught up ${caughtUp.toFixed(2)} s after the end; tail shown: ${tailShown}`,
  );
}

async function withFakeClient(): Promise<void> {
  const client = new FakeBeaconClient();
  const server = await startDashboard({ client, port: 0, staticDir: RENDERER_DIR });
  const browser = await openBrowser();
  try {
    await browser.page.goto(server.url);
    await browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    for (const [label, intervalMs] of [
      ['fake client, 64 KB / 16 ms', 16],
      ['fake client, 64 KB unpaced', 0],
    ] as const) {
      const command = client.addCommand({ prompt: `flood ${label}` });
      client.setStatus(command.id, 'running');
      await browser.page.locator(item(command.id)).waitFor();
      const flood = client.flood(command.id, totalBytes, 64 * 1024, intervalMs).then(() => client.setStatus(command.id, 'completed', { exitCode: 0 }));
      await measure(browser.page, label, command.id, flood, () => totalBytes);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

async function withRealExecutor(): Promise<void> {
  if (!existsSync('dist-cli/beacon.cjs')) execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  const sandbox = makeSandbox({ max_output_bytes: 4 * totalBytes });
  const executor = startExecutor(sandbox, ['--dashboard', '--port', '0']);
  const browser = await openBrowser();
  try {
    await executor.ready;
    for (let i = 0; i < 100 && !/Dashboard: /.test(executor.stdout()); i++) await new Promise((r) => setTimeout(r, 100));
    const url = /Dashboard: (\S+)/.exec(executor.stdout())?.[1];
    if (!url) throw new Error(`no dashboard URL:\n${executor.stderr()}`);
    await browser.page.goto(url);
    await browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    const id = enqueue(sandbox, `@agent bytes=${totalBytes} chunk=65536`);
    await browser.page.locator(`${item(id)}[data-status="running"]`).waitFor({ timeout: 30_000 });
    const finished = browser.page.locator(`${item(id)}[data-status="completed"]`).waitFor({ timeout: 300_000 });
    // The log also holds the agent's JSON lines around the flood; wait for at least the flood itself.
    await measure(browser.page, 'beacon run --dashboard, stand-in agent', id, finished, () => totalBytes);
  } finally {
    await browser.close();
    await stopExecutor(executor);
    sandbox.cleanup();
  }
}

async function main(): Promise<void> {
  ensureRendererBuilt();
  if (real) await withRealExecutor();
  else await withFakeClient();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
