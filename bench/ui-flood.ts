/**
 * Input latency and frames per second of the dashboard page while 20 MB of output streams into the
 * selected command's terminal. Runs the real dashboard server and the real UI in Chromium, fed by the
 * in-memory client (64 KB chunks every 16 ms, the core's batching cadence, and then as fast as possible).
 *   npx tsx bench/ui-flood.ts [--mb 20]
 */
import { startDashboard } from '../src-main/cli/dashboard/server.js';
import { FakeBeaconClient } from '../tests/ui/fake-client.js';
import { ensureRendererBuilt, openBrowser, RENDERER_DIR, terminalText } from '../tests/ui/browser.js';
import { measureWhile, startProbe } from '../tests/ui/latency.js';

const mbIndex = process.argv.indexOf('--mb');
const megabytes = mbIndex > 0 ? Number(process.argv[mbIndex + 1]) : 20;
const totalBytes = megabytes * 1024 * 1024;

async function main(): Promise<void> {
  ensureRendererBuilt();
  const client = new FakeBeaconClient();
  const server = await startDashboard({ client, port: 0, staticDir: RENDERER_DIR });
  const browser = await openBrowser();
  try {
    await browser.page.goto(server.url);
    await browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    for (const [label, intervalMs] of [
      ['paced 64 KB / 16 ms', 16],
      ['unpaced 64 KB chunks', 0],
    ] as const) {
      const command = client.addCommand({ prompt: `flood ${label}` });
      client.setStatus(command.id, 'running');
      await browser.page.locator(`[data-testid="command-item"][data-command-id="${command.id}"]`).click();
      await startProbe(browser.page);
      const started = performance.now();
      const result = await measureWhile(browser.page, client.flood(command.id, totalBytes, 64 * 1024, intervalMs));
      const floodSeconds = (performance.now() - started) / 1000;
      client.setStatus(command.id, 'completed', { exitCode: 0 });
      const caughtUpStart = performance.now();
      await browser.page.waitForFunction(
        (bytes) => document.querySelector('[data-testid="terminal"]')?.getAttribute('data-log-offset') === String(bytes),
        totalBytes,
        { timeout: 60_000 },
      );
      const caughtUp = (performance.now() - caughtUpStart) / 1000;
      const tailShown = (await terminalText(browser.page)).includes('flood-0123456789');
      console.log(
        `${label}: ${megabytes} MB in ${floodSeconds.toFixed(1)} s; input latency p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, ` +
          `max ${result.max.toFixed(1)} ms (${result.samples} key presses; press round trip p95 ${result.pressP95.toFixed(1)} ms); ` +
          `${result.fps.toFixed(1)} frames/s; caught up ${caughtUp.toFixed(2)} s after the last chunk; tail shown: ${tailShown}`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
