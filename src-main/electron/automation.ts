import type { LocalBeaconClient } from '../core/api/beacon-api.js';
import type { Lifecycle } from './lifecycle.js';
import type { TrayController } from './tray.js';
import type { TrayMenuActionId, TrayMenuItem } from './tray-model.js';
import type { WindowManager } from './window.js';

/**
 * Handles for the Electron end-to-end test (tests/electron/app-e2e.test.ts), which drives the app with
 * Playwright's electronApp.evaluate: a tray icon cannot be clicked from outside, so the test clicks it here.
 * Only an unpackaged run with BEACON_AUTOMATION=1 exposes them (main.ts); they live in the main process's
 * global scope, which nothing but main-process code can reach.
 */
export interface BeaconAutomation {
  trayState(): string | null;
  trayMenu(): TrayMenuItem[];
  trayAction(id: TrayMenuActionId): void;
  /** A plain left click on the tray icon. */
  trayClick(): void;
  lifecyclePhase(): string;
  snapshot: LocalBeaconClient['getSnapshot'];
}

export interface AutomationSources {
  tray(): TrayController | null;
  windows(): WindowManager | null;
  trayAction(id: TrayMenuActionId): void;
  client: LocalBeaconClient;
  lifecycle: Lifecycle;
}

export function exposeAutomation(sources: AutomationSources): BeaconAutomation {
  const automation: BeaconAutomation = {
    trayState: () => sources.tray()?.model()?.state ?? null,
    trayMenu: () => sources.tray()?.model()?.menu ?? [],
    trayAction: (id) => sources.trayAction(id),
    trayClick: () => sources.windows()?.toggle(sources.tray()?.bounds()),
    lifecyclePhase: () => sources.lifecycle.phase().name,
    snapshot: () => sources.client.getSnapshot(),
  };
  (globalThis as { beaconAutomation?: BeaconAutomation }).beaconAutomation = automation;
  return automation;
}
