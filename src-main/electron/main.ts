import { appendFileSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, dialog, ipcMain, net, Notification, powerMonitor, powerSaveBlocker, safeStorage, session, shell } from 'electron';
import type { LaunchAtLogin } from '../core/api/beacon-api.js';
import type { BeaconSnapshot } from '../core/contract/types.js';
import { createLogger } from '../core/logger.js';
import { mentuPaths } from '../core/paths.js';
import { createHeadlessSecretStore } from '../core/secrets.js';
import { createAppCore, type AppCore } from './app-core.js';
import { EVENT_CHANNEL } from './ipc-channels.js';
import { isOurRendererUrl, registerIpcHandlers } from './ipc.js';
import type { RunningCommandSummary } from './lifecycle.js';
import { createNotificationTracker } from './notifications.js';
import { createPowerKeeper, interfacesFingerprint, watchForResubscribe } from './power.js';
import { createKeychainSecretStore } from './secrets-keychain.js';
import { secureAllWebContents, secureSession } from './security.js';
import { createTrayController, type TrayController } from './tray.js';
import type { TrayMenuActionId } from './tray-model.js';
import { createWindowManager, type WindowManager } from './window.js';
import { createWindowPrefs, memoryWindowPrefs, type WindowPrefs } from './window-prefs.js';

/**
 * The Electron main process: wiring only. Every decision lives in a module tested in plain Node
 * (tray-model, ipc, lifecycle, notifications, power, app-core); this file connects them to Electron.
 */

const paths = mentuPaths(process.env);
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

const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(__dirname, '../renderer/index.html')).href;
const preloadPath = join(__dirname, '../preload/index.cjs');
const assetsDir = join(app.getAppPath(), 'assets');

let windows: WindowManager | null = null;

// One app per user: a second launch (e.g. from Finder while it runs at login) focuses the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => windows?.show());
  app.dock?.hide();
  app.on('window-all-closed', () => {
    // A menu-bar app keeps running with no window open.
  });
  void app.whenReady().then(start);
}

function start(): void {
  mkdirSync(dirname(paths.beaconLog), { recursive: true, mode: 0o700 });
  const isOurPage = (url: string) => isOurRendererUrl(url, rendererUrl);
  secureAllWebContents(app, isOurPage, (url) => void shell.openExternal(url));
  secureSession(session.defaultSession);

  const launchAtLogin: LaunchAtLogin = {
    get: () => {
      const settings = app.getLoginItemSettings();
      return { supported: process.platform === 'darwin' || process.platform === 'win32', enabled: settings.openAtLogin, status: settings.status ?? null };
    },
    set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
  };

  let tray: TrayController | null = null;
  const power = createPowerKeeper(powerSaveBlocker);
  let stopWatching: () => void = () => {};

  const core: AppCore = createAppCore({
    paths,
    logger,
    secrets: createKeychainSecretStore(safeStorage, join(app.getPath('userData'), 'secrets'), createHeadlessSecretStore(paths)),
    launchAtLogin,
    confirmCancel,
    exit: () => {
      stopWatching();
      power.dispose();
      windows?.destroyAll();
      tray?.destroy();
      app.exit(0);
    },
  });

  windows = createWindowManager({ rendererUrl, preloadPath, prefs: openPrefs(), trayBounds: () => tray?.bounds() ?? { x: 0, y: 0, width: 0, height: 0 } });
  const openLogsFolder = async (): Promise<void> => {
    mkdirSync(paths.logsDir, { recursive: true });
    const problem = await shell.openPath(paths.logsDir);
    if (problem) throw new Error(`Could not open ${paths.logsDir}: ${problem}`);
  };

  let latest: BeaconSnapshot | null = null;
  let startupProblem: string | null = null;
  const renderTray = (): void => tray?.render({ snapshot: latest, startupProblem, launchAtLogin: launchAtLogin.get() });

  const onTrayAction = (id: TrayMenuActionId): void => {
    const run: Record<TrayMenuActionId, () => unknown> = {
      'toggle-claiming': () => (latest?.paused ? core.client.resume() : core.client.pause()),
      'show-window': () => windows?.show(),
      'open-logs': () => openLogsFolder(),
      quit: () => core.lifecycle.requestQuit(),
    };
    Promise.resolve(run[id]()).catch((error: unknown) => logger.error(`tray action ${id} failed`, { error }));
  };
  tray = createTrayController({
    assetsDir,
    onAction: onTrayAction,
    onLaunchAtLogin: (enabled) => {
      launchAtLogin.set(enabled);
      renderTray();
    },
    onClick: () => windows?.toggle(),
  });
  renderTray();

  registerIpcHandlers({
    ipcMain,
    actions: core.client,
    shell: { detachWindow: () => windows!.detach(), openLogsFolder },
    trust: { rendererUrl, ownWebContentsIds: () => windows?.webContentsIds() ?? [] },
    logger,
  });

  const notifications = createNotificationTracker();
  const onSnapshot = (snapshot: BeaconSnapshot): void => {
    latest = snapshot;
    renderTray();
    if (!Notification.isSupported()) return;
    for (const notice of notifications.update(snapshot, windows?.isFocused() ?? false)) {
      const notification = new Notification({ title: notice.title, body: notice.body });
      notification.on('click', () => windows?.openCommand(notice.commandId));
      notification.show();
    }
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

  // Cmd+Q, logout and shutdown all go through the same quit sequence as the tray's Quit.
  app.on('before-quit', (event) => {
    if (core.lifecycle.phase().name === 'stopped') return;
    event.preventDefault();
    void core.lifecycle.requestQuit();
  });

  core.lifecycle.onChange(renderTray);
  core.lifecycle.start().catch((error: unknown) => {
    startupProblem = error instanceof Error ? error.message : String(error);
    logger.error(`Beacon could not start: ${startupProblem}`);
    renderTray();
  });
  core.client.getSnapshot().then(onSnapshot, () => undefined);
}

async function confirmCancel(running: RunningCommandSummary[]): Promise<boolean> {
  const count = running.length === 1 ? '1 command is' : `${running.length} commands are`;
  const list = running.map((command) => `• ${command.prompt.replace(/\s+/g, ' ').slice(0, 80) || command.id}`).join('\n');
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    buttons: ['Cancel Commands and Quit', 'Keep Running'],
    defaultId: 1,
    cancelId: 1,
    message: `${count} still running`,
    detail: `Quitting cancels them (their agents are stopped and they are recorded as cancelled).\n\n${list}`,
  });
  return response === 0;
}

function openPrefs(): WindowPrefs {
  try {
    return createWindowPrefs();
  } catch (error) {
    logger.warn('window preferences unavailable; sizes will not be remembered', { error });
    return memoryWindowPrefs();
  }
}
