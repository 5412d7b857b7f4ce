/**
 * Launch at login as macOS really has it. Since macOS 13 a login item can be registered yet waiting for the
 * user's approval in System Settings, or registered for an app that moved; an app run from outside
 * /Applications (a mounted dmg, Downloads) loses its login item when it goes away. The tray and Settings show
 * what this returns; main.ts reads the facts when they are needed (menu opened, settings read), not on every
 * snapshot.
 */
export interface LoginItemFacts {
  platform: NodeJS.Platform;
  /** app.getLoginItemSettings().openAtLogin */
  openAtLogin: boolean;
  /** app.getLoginItemSettings().status (macOS 13+): enabled, requires-approval, not-registered, not-found. */
  status?: string | null;
  packaged: boolean;
  /** app.isInApplicationsFolder() (macOS) */
  inApplicationsFolder: boolean;
}

export interface LoginItemView {
  supported: boolean;
  /** The checkbox: registered (enabled, or waiting for approval). */
  enabled: boolean;
  status: string | null;
  /** A sentence to show under the checkbox, or null when all is as it seems. */
  detail: string | null;
  offerLoginItemsSettings: boolean;
  offerMoveToApplications: boolean;
}

/** Where macOS keeps the approval switch (System Settings → General → Login Items). */
export const LOGIN_ITEMS_SETTINGS_URL = 'x-apple.systempreferences:com.apple.LoginItems-Settings.extension';

export function loginItemView(facts: LoginItemFacts): LoginItemView {
  const supported = facts.platform === 'darwin' || facts.platform === 'win32';
  const status = facts.status ?? null;
  const enabled = status ? status === 'enabled' || status === 'requires-approval' : facts.openAtLogin;
  const offerMoveToApplications = facts.platform === 'darwin' && facts.packaged && !facts.inApplicationsFolder;
  let detail: string | null = null;
  let offerLoginItemsSettings = false;
  if (status === 'requires-approval') {
    detail = 'Waiting for your approval: turn Beacon on in System Settings → General → Login Items.';
    offerLoginItemsSettings = true;
  } else if (status === 'not-found') {
    detail = "macOS cannot find Beacon's login item (was the app moved?): turn Launch at Login off and on again.";
    offerLoginItemsSettings = true;
  } else if (offerMoveToApplications) {
    detail = 'Beacon is not in your Applications folder: move it there so it still opens at login after this copy is gone.';
  }
  return { supported, enabled, status, detail, offerLoginItemsSettings, offerMoveToApplications };
}
