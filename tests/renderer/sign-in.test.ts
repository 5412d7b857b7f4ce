import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import { useBeaconSandboxes } from '../support/sandbox-hooks.js';
import { ensureRendererBuilt, openBrowser, screenshot, type BrowserSession } from '../support/browser.js';
import { addWorkspaceMember, OTHER_WS, USER, WS } from '../support/source-driver.js';
import { waitFor } from '../support/wait.js';

/**
 * Signing in from Settings, in real Chromium against `beacon run --dashboard`: the button opens the
 * project's OAuth authorize URL in a tab, the gateway's stand-in identity provider redirects straight back,
 * Beacon's loopback callback takes the code, and the page then offers the user's workspaces.
 */

let gateway: Gateway;
let browser: BrowserSession | null = null;
useGateway((g) => (gateway = g));
afterEach(async () => {
  await browser?.close();
  browser = null;
});
const beacons = useBeaconSandboxes(() => gateway);

describe('Settings → Sign in with GitHub', () => {
  it('signs in through the OAuth redirect and the loopback callback, then shows the user\'s workspaces to choose from', async () => {
    ensureRendererBuilt();
    await addWorkspaceMember(gateway);
    await gateway.sql(`insert into public.workspaces (id, name) values ($1, 'second') on conflict do nothing`, [OTHER_WS]);
    await gateway.sql(`insert into public.workspace_members (workspace_id, user_id) values ($1, $2) on conflict do nothing`, [OTHER_WS, USER]);
    gateway.auth.createUser('member@example.com', USER);
    gateway.auth.setProviderUser({ email: 'member@example.com' });
    const box = beacons.sandbox({ machineId: 'beacon-ui-sign-in', supabase: { auth: 'session', workspace_ids: [] }, env: { BEACON_SUPABASE_KEY: '', SUPABASE_ANON_KEY: gateway.anonKey } });
    const run = beacons.start(box, ['--dashboard', '--port', '0']);
    await run.ready;
    const dashboardUrl = await waitFor('the dashboard URL', () => /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(run.stdout())?.[1], 10_000);

    browser = await openBrowser({ width: 1100, height: 900 });
    const { page, context } = browser;
    await page.goto(dashboardUrl);
    await page.locator('[data-testid="connection"][data-state="auth_failed"]').waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByTestId('sign-in-status').getByText(/^Not signed in to Mentu: sign in/).waitFor();

    const popup = context.waitForEvent('page');
    await page.getByTestId('sign-in-button').click();
    const tab = await popup;
    await tab.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/, { timeout: 15_000 });
    await tab.getByText('Welcome, member@example.com').waitFor();

    // The page followed the sign-in and lists the user's two workspaces; none is chosen yet.
    const choice = page.getByTestId('workspace-choice');
    await choice.waitFor({ timeout: 15_000 });
    await expect.poll(() => choice.locator('input[type="checkbox"]').count()).toBe(2);
    expect(await choice.textContent()).toContain('beacon-test');
    expect(await choice.textContent()).toContain('second');
    await choice.locator(`input[data-workspace-id="${WS}"]`).check();
    await page.getByTestId('save-workspaces').click();
    await page.getByText('Workspaces saved. Restart Beacon to serve them.').waitFor();
    await page.getByTestId('sign-in-status').getByText('Signed in as member@example.com').waitFor({ timeout: 10_000 });
    await screenshot(page, 'sign-in-workspaces');

    const config = parse(readFileSync(join(box.home, 'beacon.yaml'), 'utf8')) as { supabase: { auth: string; workspace_ids: string[] } };
    expect(config.supabase).toMatchObject({ auth: 'session', workspace_ids: [WS] });
    const own = JSON.parse(readFileSync(join(box.home, 'beacon-secrets.json'), 'utf8')) as { mentu_session: string };
    expect(JSON.parse(own.mentu_session)).toMatchObject({ userId: USER, email: 'member@example.com' });
    expect(browser.problems).toEqual([]);
  }, 120_000);
});
