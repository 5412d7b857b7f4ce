import { afterAll, beforeAll } from 'vitest';
import { startDashboard, type DashboardServer } from '../../src-main/cli/dashboard/server.js';
import { ensureRendererBuilt, openBrowser, RENDERER_DIR, type BrowserSession } from '../support/browser.js';
import { FakeBeaconClient } from './fake-client.js';

export interface FakeDashboard {
  client: FakeBeaconClient;
  server: DashboardServer;
  browser: BrowserSession;
}

/**
 * Inside a describe: the real dashboard server over an in-memory client, and Chromium on its page until the
 * connection indicator says connected; both closed after the describe. Read `server` and `browser` in tests.
 */
export function useFakeDashboard(client = new FakeBeaconClient()): FakeDashboard {
  const dashboard = { client } as FakeDashboard;
  beforeAll(async () => {
    ensureRendererBuilt();
    dashboard.server = await startDashboard({ client, port: 0, staticDir: RENDERER_DIR });
    dashboard.browser = await openBrowser();
    await dashboard.browser.page.goto(dashboard.server.url);
    await dashboard.browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
  });
  afterAll(async () => {
    await dashboard.browser?.close();
    await dashboard.server?.close();
  });
  return dashboard;
}
