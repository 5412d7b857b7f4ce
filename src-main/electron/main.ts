import { appendFileSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, dialog, ipcMain, Menu, nativeTheme, net, Notification, powerMonitor, powerSaveBlocker, safeStorage, session, shell, type MenuItemConstructorOptions } from 'electron';
import type { LaunchAtLogin } from '../core/api/beacon-api.js';
import type { BeaconSnapshot } from '../core/contract/types.js';
import { createLogger } from '../core/logger.js';
import { mentuPaths } from '../core/paths.js';
import { createHeadlessSecretStore } from '../core/secrets.js';
import { createAppCore, type AppCore } from './app-core.js';
import { appMenuTemplate } from './app-menu.js';
import { exposeAutomation } from './automation.js';
import { describeChildProcessGone } from './crash-recovery.js';
import { EVENT_CHANNEL } from './ipc-channels.js';
import { isOurRendererUrl, registerIpcHandlers } from './ipc.js';
import { LOGIN_ITEMS_SETTINGS_URL, loginItemView, type LoginItemView } from './login-item.js';
import { createNotificationKeeper } from './notification-keeper.js';
import { createNotificationTracker } from './notifications.js';
import { appPermissionServerCommand, isPermissionServerLaunch } from './permission-server-argv.js';
import { servePermissionRelay } from '../core/approvals/permission-relay.js';
import { createPowerKeeper, interfacesFingerprint, watchForResubscribe } from './power.js';
import { askToCancelAndQuit } from './quit-dialog.js';
import { routeQuitEvents, type QuitEventSources } from './quit-events.js';
import { createKeychainSecretStore } from './secrets-keychain.js';
import { CONTENT_SECURITY_POLICY, DEVELOPMENT_CONTENT_SECURITY_POLICY, rendererSource, secureAllWebContents, secureSession } from './security.js';
import { createTrayController, type TrayController } from './tray.js';
import type { TrayMenuActionId } from './tray-model.js';
import { createWindowManager, type WindowManager } from './window.js';
import { createWindowPrefs, memoryWindowPrefs, type WindowPrefs } from './window-prefs.js';

/**
 * The Electron main process: wiring only. Every decision lives in a module tested in plain Node
 * (tray-model, window-model, window-position, lifecycle, quit-events, quit-dialog, notifications,
 * crash-recovery, login-item, power, security, app-core); this file connects them to Electron.
 */

const paths = mentuPaths(process.env);
// One app profile per Mentu home: with MENTU_HOME set (a second home, a test) the window sizes, the
// encrypted secrets and the single-instance lock live beside it instead of in ~/Library/Application Support.
if (process.env.MENTU_HOME) app.setPath('userData', join(paths.home, 'app-data'));

const logger = createLogger({
  write: (line) => {
    process.stderr.write(`${line}\n`);
    try {
      appendFileSync(paths.beaconLog, `${line}\n`);
    } catch {
      // the log file is a convenience; stderr still has the line
    }
  },
});

const renderer = rendererSource({
  isPackaged: app.isPackaged,
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  builtFileUrl: pathToFileURL(join(__dirname, '../renderer/index.html')).href,
});
const preloadPath = join(__dirname, '../preload/index.cjs');
const assetsDir = join(app.getAppPath(), 'assets');

let windows: WindowManager | null = null;

// Started by the claude CLI as Beacon's permission server: serve the relay and nothing else.
if (isPermissionServerLaunch(process.argv)) {
  app.dock?.hide();
  void servePermissionRelay(process.env, app.getVersion()).then(() => app.exit(0));
} else if (!app.requestSingleInstanceLock()) {
  // One app per user: a second launch (e.g. from Finder while it runs at login) focuses the first.
  app.quit();
} else {
  app.on('second-instance', () => windows?.show());
  // Opened again from Finder, Spotlight or Launchpad while running: macOS sends activate, not a second launch.
  app.on('activate', () => windows?.show());
  app.dock?.hide();
  app.on('window-all-closed', () => {
    // A menu-bar app keeps running with no window open.
  });
  void app.whenReady().then(start);
}

function start(): void {
  mkdirSync(dirname(paths.beaconLog), { recursive: true, mode: 0o700 });
  if (renderer.ignored) logger.warn(renderer.ignored);
  const isOurPage = (url: string) => isOurRendererUrl(url, renderer.url);
  secureAllWebContents(app, isOurPage, (url) => void shell.openExternal(url));
  secureSession(session.defaultSession, renderer.development ? DEVELOPMENT_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(app.name) as MenuItemConstructorOptions[]));
  app.on('child-process-gone', (_event, details) => {
    const line = describeChildProcessGone(details);
    if (line) logger[line.level](line.message);
  });

  const readLoginItem = (): LoginItemView => {
    const settings = app.getLoginItemSettings();
    const inApplicationsFolder = process.platform === 'darwin' ? app.isInApplicationsFolder() : true;
    return loginItemView({ platform: process.platform, openAtLogin: settings.openAtLogin, status: settings.status, packaged: app.isPackaged, inApplicationsFolder });
  };
  let loginItem = readLoginItem();
  const launchAtLogin: LaunchAtLogin = {
    get: () => (loginItem = readLoginItem()),
    set: (enabled) => {
      app.setLoginItemSettings({ openAtLogin: enabled });
      loginItem = readLoginItem();
      renderTray();
    },
  };

  let tray: TrayController | null = null;
  const power = createPowerKeeper(powerSaveBlocker);
  let stopWatching: () => void = () => {};

  const core: AppCore = createAppCore({
    paths,
    logger,
    secrets: createKeychainSecretStore(safeStorage, join(app.getPath('userData'), 'secrets'), createHeadlessSecretStore(paths)),
    launchAtLogin,
    // Only the sign-in's authorize URL (http(s), built from the project URL) reaches here.
    openExternal: (url) => shell.openExternal(url),
    confirmCancel: (running) =>
      askToCancelAndQuit(
        {
          bringToFront: () => app.focus({ steal: true }),
          parentWindow: () => windows?.detachedWindow() ?? null,
          showMessageBox: (parent, question) => (parent ? dialog.showMessageBox(parent, question) : dialog.showMessageBox(question)),
        },
        running,
      ),
    permissionServer: appPermissionServerCommand(process.execPath, app.getAppPath(), app.isPackaged),
    exit: () => {
      stopWatching();
      power.dispose();
      windows?.destroyAll();
      tray?.destroy();
      app.exit(0);
    },
  });

  windows = createWindowManager({
    rendererUrl: renderer.url,
    preloadPath,
    prefs: openPrefs(),
    trayBounds: () => tray?.bounds() ?? { x: 0, y: 0, width: 0, height: 0 },
    dock: app.dock, // undefined off macOS
    darkMode: () => nativeTheme.shouldUseDarkColors,
    logger,
  });
  const shellActions = {
    detachWindow: () => windows!.detach(),
    openLogsFolder: async (): Promise<void> => {
      mkdirSync(paths.logsDir, { recursive: true });
      const problem = await shell.openPath(paths.logsDir);
      if (problem) throw new Error(`Could not open ${paths.logsDir}: ${problem}`);
    },
    openLoginItemsSettings: () => shell.openExternal(LOGIN_ITEMS_SETTINGS_URL),
    moveToApplications: async (): Promise<void> => {
      // On success macOS quits this copy (through before-quit, so the quit sequence runs) and opens the moved one.
      if (!app.moveToApplicationsFolder()) throw new Error('Beacon was not moved to the Applications folder');
    },
  };

  let latest: BeaconSnapshot | null = null;
  let startupProblem: string | null = null;
  const renderTray = (): void => tray?.render({ snapshot: latest, startupProblem, launchAtLogin: loginItem });

  const onTrayAction = (id: TrayMenuActionId): void => {
    const run: Record<TrayMenuActionId, () => unknown> = {
      'toggle-claiming': () => (latest?.paused ? core.client.resume() : core.client.pause()),
      'show-window': () => windows?.show(),
      'open-logs': () => shellActions.openLogsFolder(),
      'open-login-items': () => shellActions.openLoginItemsSettings(),
      'move-to-applications': () => shellActions.moveToApplications(),
      quit: () => core.lifecycle.requestQuit(),
    };
    Promise.resolve()
      .then(run[id])
      .catch((error: unknown) => logger.error(`tray action ${id} failed`, { error }));
  };
  tray = createTrayController({
    assetsDir,
    onAction: onTrayAction,
    onLaunchAtLogin: (enabled) => launchAtLogin.set(enabled),
    onClick: (bounds) => windows?.toggle(bounds),
    onMenuWillOpen: () => {
      loginItem = readLoginItem();
      renderTray();
    },
  });
  renderTray();

  registerIpcHandlers({
    ipcMain,
    actions: core.client,
    shell: shellActions,
    trust: { rendererUrl: renderer.url, ownWebContentsIds: () => windows?.webContentsIds() ?? [] },
    logger,
  });

  const notifications = createNotificationTracker();
  const shown = createNotificationKeeper({
    create: (notice) => new Notification({ title: notice.title, body: notice.body }),
    // The sign-in notice names no command: its click shows the window.
    open: (commandId) => (commandId ? windows?.openCommand(commandId) : windows?.show()),
    onFailed: (notice, error) => logger.warn(`notification for ${notice.commandId ?? 'the sign-in'} failed`, { error }),
  });
  const onSnapshot = (snapshot: BeaconSnapshot): void => {
    latest = snapshot;
    renderTray();
    if (!Notification.isSupported()) return;
    for (const notice of notifications.update(snapshot, windows?.isFocused() ?? false)) shown.show(notice);
  };
  core.client.subscribe((event) => {
    windows?.broadcast(EVENT_CHANNEL, event);
    if (event.type === 'snapshot') onSnapshot(event.snapshot);
  });
  core.executor.events.on('change', () => power.setRunning(core.executor.snapshot().running.length));

  stopWatching = watchForResubscribe({
    powerMonitor,
    networkState: () => ({ online: net.isOnline(), fingerprint: interfacesFingerprint(networkInterfaces()) }),
    resubscribe: (reason) => {
      logger.info(`${reason}: resubscribing and catching up`);
      core.executor.resubscribe();
    },
  });

  // Log out, restart and shut down arrive as powerMonitor 'shutdown'; Cmd+Q and the menus as before-quit.
  routeQuitEvents({ app, powerMonitor } as unknown as QuitEventSources, core.lifecycle, logger);

  core.lifecycle.onChange(renderTray);
  core.lifecycle.start().catch((error: unknown) => {
    startupProblem = error instanceof Error ? error.message : String(error);
    logger.error(`Beacon could not start: ${startupProblem}`);
    renderTray();
  });
  core.client.getSnapshot().then(onSnapshot, () => undefined);

  if (!app.isPackaged && process.env.BEACON_AUTOMATION === '1') {
    exposeAutomation({ tray: () => tray, windows: () => windows, trayAction: onTrayAction, client: core.client, lifecycle: core.lifecycle });
  }
}

function openPrefs(): WindowPrefs {
  try {
    return createWindowPrefs();
  } catch (error) {
    logger.warn('window preferences unavailable; sizes will not be remembered', { error });
    return memoryWindowPrefs();
  }
}
