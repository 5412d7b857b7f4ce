import { DEFAULT_POPOVER_SIZE } from '../../src-main/electron/window-position.js';
import type { BrowserSession } from './browser.js';
import type { DashboardSocket } from './dashboard-socket.js';

/**
 * The tray window's renderer in real Chromium, at the popover's size (DEFAULT_POPOVER_SIZE, window-position.ts), over the IPC
 * transport: `window.beaconIpc` as the Electron preload defines it, fed from a running executor (its snapshot
 * events and actions, through the dashboard socket the test holds). What the popover shows, without Electron.
 */
const BRIDGE = `(() => {
  const listeners = new Set();
  window.__beaconEmit = (event) => listeners.forEach((listener) => listener(event));
  window.beaconIpc = {
    invoke: (action, args) => window.__beaconInvoke(action, args),
    onEvent: (listener) => { listeners.add(listener); return () => listeners.delete(listener); },
  };
})()`;

/** Loads the renderer (served by the executor's dashboard) with the bridge; returns a stop function for the event feed. */
export async function openTrayWindow(browser: BrowserSession, dashboardUrl: string, socket: DashboardSocket): Promise<() => void> {
  const { page, context } = browser;
  await page.setViewportSize(DEFAULT_POPOVER_SIZE);
  await context.exposeBinding('__beaconInvoke', (_source, action: string, args: unknown[]) => socket.call(action, args));
  await context.addInitScript(BRIDGE);
  await page.goto(dashboardUrl);
  let seen = socket.snapshots.length;
  const timer = setInterval(() => {
    for (const { snapshot } of socket.snapshots.slice(seen)) {
      void page.evaluate((value) => (window as unknown as { __beaconEmit(event: unknown): void }).__beaconEmit({ type: 'snapshot', snapshot: value }), snapshot).catch(() => {});
    }
    seen = socket.snapshots.length;
  }, 20);
  return () => clearInterval(timer);
}
