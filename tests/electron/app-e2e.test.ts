import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { BeaconAutomation } from '../../src-main/electron/automation.js';
import { terminalText } from '../support/browser.js';
import { asarOf, findElectronBinary, findPackagedApp } from './packaged-app.js';

/**
 * The packaged app end to end, driven by Playwright's Electron support: the app code of release/…/Beacon.app
 * (its app.asar, native modules unpacked beside it) in a stock Electron binary, with a scratch MENTU_HOME and
 * HOME, the local queue and the stand-in agent. The packaged binary itself cannot be driven this way (its
 * fuses turn --inspect off, which is how Playwright attaches); the macOS workflow launches that one separately.
 * The tray icon cannot be clicked from outside: BEACON_AUTOMATION=1 exposes the tray's handles to
 * electronApp.evaluate (src-main/electron/automation.ts, unpackaged runs only).
 *
 * Runs wherever an Electron binary and the packaged app exist (the macOS workflow); elsewhere it skips and
 * says why.
 */
const binary = findElectronBinary();
const packaged = findPackagedApp();
const skipReason = binary.reason ?? packaged.reason ?? null;

const root = resolve('.');
const cli = join(root, 'dist-cli', 'beacon.cjs');
const temp = mkdtempSync(join(tmpdir(), 'beacon-app-e2e-'));
const home = join(temp, 'home');
const mentuHome = join(temp, 'mentu');
const workDir = join(temp, 'work');
const env = { ...process.env, HOME: home, MENTU_HOME: mentuHome, BEACON_LOGIN_SHELL: '0' } as Record<string, string>;
delete env.ELECTRON_RUN_AS_NODE;
delete env.ELECTRON_RENDERER_URL;

let app: ElectronApplication;
let page: Page;

const beacon = (...args: string[]): string => execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
const enqueue = (prompt: string): string => (JSON.parse(beacon('enqueue', prompt, '--cwd', workDir, '--json')) as { id: string }).id;
const commandStatus = (id: string): { status: string; errorMessage: string | null } => JSON.parse(beacon('show', id, '--json')) as { status: string; errorMessage: string | null };

/** Call one of the automation handles in the main process. */
function automation<K extends keyof BeaconAutomation>(method: K, ...args: Parameters<BeaconAutomation[K]>): Promise<Awaited<ReturnType<BeaconAutomation[K]>>> {
  return app.evaluate(
    (_electron, [name, list]) => {
      const handles = (globalThis as unknown as { beaconAutomation: Record<string, (...a: unknown[]) => unknown> }).beaconAutomation;
      return handles[name]!(...list);
    },
    [method, args as unknown[]] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<BeaconAutomation[K]>>>;
}

async function trayLabels(): Promise<string[]> {
  return (await automation('trayMenu')).map((item) => (item.kind === 'separator' ? '---' : item.label));
}

async function visibleWindows(): Promise<number> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((win) => win.isVisible()).length);
}

describe('the packaged app, end to end (Playwright Electron)', () => {
  beforeAll(async () => {
    // The macOS workflow sets BEACON_E2E_REQUIRED=1: there a missing app or binary is a failure, not a skip.
    if (skipReason && process.env.BEACON_E2E_REQUIRED === '1') throw new Error(`Electron end-to-end test cannot run: ${skipReason}`);
    if (skipReason) {
      console.log(`Electron end-to-end test skipped: ${skipReason}`);
      return;
    }
    mkdirSync(home, { recursive: true });
    mkdirSync(mentuHome, { recursive: true });
    mkdirSync(workDir, { recursive: true });
    writeFileSync(
      join(mentuHome, 'beacon.yaml'),
      stringify({
        machine: { id: 'beacon-e2e' },
        command_source: 'local',
        execution: { allowed_directories: [workDir], default_agent: 'fake', max_concurrent: 1 },
        agents: { fake: { command: process.execPath, args: [join(root, 'tests/support/fake-agent.mjs'), '-p', '{prompt}'], output: 'stream-json' } },
      }),
    );
    app = await electron.launch({
      executablePath: binary.path!,
      args: [asarOf(packaged.path!)],
      env: { ...env, BEACON_AUTOMATION: '1' },
      timeout: 60_000,
    });
    page = await app.firstWindow();
  }, 120_000);

  afterAll(async () => {
    if (app && app.process().exitCode === null) await app.close().catch(() => undefined);
    rmSync(temp, { recursive: true, force: true });
  });

  it('the tray exists, and a click opens the window with the same UI the dashboard shows', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    await expect.poll(trayLabels, { timeout: 30_000 }).toContain('Connected: local queue');
    expect(await automation('trayState')).toBe('idle');
    expect(await visibleWindows()).toBe(0);
    await automation('trayClick');
    await expect.poll(visibleWindows).toBe(1);
    await page.getByRole('heading', { name: /beacon-e2e/ }).waitFor();
    expect(await page.getByTestId('role').textContent()).toBe('active');
    // The renderer is sandboxed: the bridge, and no Node.
    expect(await page.evaluate('typeof window.beaconIpc + "/" + typeof require + "/" + typeof process')).toBe('object/undefined/undefined');
    // The lock is the app's.
    expect(JSON.parse(readFileSync(join(mentuHome, 'executor.lock'), 'utf8'))).toMatchObject({ type: 'beacon', mode: 'app' });
  });

  let queued = '';
  it('Pause Claiming in the tray stops claiming: a queued command stays pending until Resume', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    await automation('trayAction', 'toggle-claiming');
    await expect.poll(trayLabels).toContain('Paused: local queue');
    queued = enqueue('@agent lines=6 interval=300\ne2e: runs after resume');
    // The executor saw it (it is in its snapshot and the window's list) and did not claim it.
    await expect.poll(async () => (await automation('snapshot')).commands.find((c) => c.id === queued)?.status, { timeout: 15_000 }).toBe('pending');
    await page.locator(`[data-command-id="${queued}"][data-status="pending"]`).waitFor();
    expect(commandStatus(queued).status).toBe('pending');
    expect(await page.getByTestId('pause-toggle').getAttribute('aria-pressed')).toBe('true');
    await automation('trayAction', 'toggle-claiming');
    await expect.poll(trayLabels).toContain('Connected: local queue');
  });

  it('the command from the local queue runs and its live output appears in the window', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    await page.locator(`[data-command-id="${queued}"][data-status="running"]`).waitFor({ timeout: 15_000 });
    // Nothing picked yet, so the window follows the newest running command (no click into a popover that may be hidden).
    await page.locator(`[data-command-id="${queued}"][aria-current="true"]`).waitFor();
    await expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain('working 2/6');
    await page.locator(`[data-command-id="${queued}"][data-status="completed"]`).waitFor({ timeout: 20_000 });
    await expect.poll(() => terminalText(page)).toContain('working 6/6');
    expect(commandStatus(queued).status).toBe('completed');
  });

  it('a crashed renderer is replaced by a fresh window showing the UI again', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const next = app.waitForEvent('window');
    // The popover (the only window): shown or not (it hides when it loses focus), it must come back as it was.
    const wasVisible = await app.evaluate(({ BrowserWindow }) => {
      const [popover] = BrowserWindow.getAllWindows();
      const visible = popover!.isVisible();
      popover!.webContents.forcefullyCrashRenderer();
      return visible;
    });
    page = await next;
    await page.getByRole('heading', { name: /beacon-e2e/ }).waitFor({ timeout: 20_000 });
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    if (wasVisible) await expect.poll(visibleWindows).toBe(1);
    expect(readFileSync(join(mentuHome, 'beacon.log'), 'utf8')).toMatch(/renderer is gone \(crashed/);
  });

  it('quit with a command running: asks, cancels it with consent, releases the lock and exits', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const long = enqueue('@agent lines=500 interval=200\ne2e: running at quit');
    await expect.poll(async () => (await automation('snapshot')).commands.find((c) => c.id === long)?.status, { timeout: 15_000 }).toBe('running');
    // The question is answered "Cancel Commands and Quit" (a native dialog cannot be clicked from here).
    await app.evaluate(({ dialog }) => {
      dialog.showMessageBox = (async () => ({ response: 0, checkboxChecked: false })) as typeof dialog.showMessageBox;
    });
    const exited = new Promise<number | null>((resolveExit) => app.process().once('exit', (code) => resolveExit(code)));
    await automation('trayAction', 'quit').catch(() => undefined); // the process may be gone before the answer
    expect(await exited).toBe(0);
    expect(commandStatus(long).status).toBe('cancelled');
    expect(readFileSync(join(mentuHome, 'beacon.log'), 'utf8')).toContain(`quit: Cancelling ${long}`);
    expect(existsSync(join(mentuHome, 'executor.lock'))).toBe(false);
  });
});
