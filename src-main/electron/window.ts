import { BrowserWindow, screen } from 'electron';
import type { Logger } from '../core/logger.js';
import { createRendererCrashPolicy } from './crash-recovery.js';
import { OPEN_COMMAND_CHANNEL } from './ipc-channels.js';
import { secureWebPreferences } from './security.js';
import { createShowWhenReady, INITIAL_WINDOW_STATE, nextWindowStep, windowBackgroundColor, type ShowWhenReady, type WindowAction, type WindowEvent } from './window-model.js';
import { createTrayBoundsCache, MIN_WINDOW_SIZE, placePopover, type Rect } from './window-position.js';
import type { WindowMode, WindowPrefs } from './window-prefs.js';

/**
 * Beacon's window: a frameless popover under the tray icon that hides when it loses focus, which can be
 * detached into a normal window (and returns to the popover when that window is closed). Each remembers its
 * own size. Which window shows and when the Dock icon is up is decided in window-model.ts; where the popover
 * goes in window-position.ts; what a crashed renderer means in crash-recovery.ts. This file carries it out.
 */
export interface WindowManagerOptions {
  rendererUrl: string;
  preloadPath: string;
  prefs: WindowPrefs;
  /** Where the tray icon is now, as the tray reports it (may be all zeros). */
  trayBounds(): Rect;
  /** app.dock on macOS (absent elsewhere). */
  dock?: { show(): Promise<void> | void; hide(): void };
  /** nativeTheme.shouldUseDarkColors, for the background shown before the page paints. */
  darkMode(): boolean;
  logger: Logger;
}

export interface WindowManager {
  /** Tray click (with the bounds the click reported): show the popover or hide it; focus the detached window if open. */
  toggle(clickBounds?: Rect): void;
  /** Reopened from Finder/Spotlight/Launchpad, a second launch, Show Beacon. */
  show(): void;
  detach(): Promise<void>;
  /** A Beacon window is visible and focused (notifications are then not needed). */
  isFocused(): boolean;
  /** Show the window and ask the renderer to open one command. */
  openCommand(commandId: string): void;
  /** The detached window when it is open and visible (a dialog's parent), else null. */
  detachedWindow(): BrowserWindow | null;
  /** Send to every Beacon window. */
  broadcast(channel: string, payload: unknown): void;
  webContentsIds(): number[];
  destroyAll(): void;
}

interface Managed {
  win: BrowserWindow;
  gate: ShowWhenReady;
  /** Being replaced after a renderer crash: its 'closed' is not the user closing it. */
  replacing: boolean;
}

export function createWindowManager(options: WindowManagerOptions): WindowManager {
  const { logger } = options;
  let state = INITIAL_WINDOW_STATE;
  let popover: Managed | null = null;
  let detached: Managed | null = null;
  const crashes = createRendererCrashPolicy();
  const trayBounds = createTrayBoundsCache();
  /** The bounds the tray click being handled reported: fresher than what the tray answers afterwards. */
  let clickBounds: Rect | undefined;

  const showManaged = (managed: Managed): void => {
    if (!managed.gate.requestShow()) return; // shown on ready-to-show
    managed.win.show();
    managed.win.focus();
  };

  const create = (which: WindowMode, windowOptions: Electron.BrowserWindowConstructorOptions): Managed => {
    const win = new BrowserWindow({
      ...options.prefs.size(which),
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      backgroundColor: windowBackgroundColor(options.darkMode()),
      webPreferences: secureWebPreferences(options.preloadPath),
      ...windowOptions,
    });
    const managed: Managed = { win, gate: createShowWhenReady(), replacing: false };
    win.once('ready-to-show', () => {
      if (managed.gate.ready()) {
        win.show();
        win.focus();
      }
    });
    win.on('resized', () => {
      const [width = 0, height = 0] = win.getSize();
      options.prefs.setSize(which, { width, height });
    });
    win.on('unresponsive', () => logger.warn(`the ${which} window is not responding`));
    win.webContents.on('render-process-gone', (_event, details) => onRendererGone(which, managed, details));
    void win.loadURL(options.rendererUrl);
    return managed;
  };

  const createPopover = (): Managed => {
    const managed = create('popover', {
      frame: false,
      resizable: true,
      movable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      skipTaskbar: true,
      alwaysOnTop: true,
      transparent: false,
    });
    const { win } = managed;
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.on('show', () => dispatch('popover-shown'));
    win.on('hide', () => dispatch('popover-hidden'));
    win.on('blur', () => dispatch('popover-blur', { devToolsOpen: !win.isDestroyed() && win.webContents.isDevToolsOpened() }));
    win.on('closed', () => {
      if (popover === managed) popover = null;
      if (!managed.replacing) dispatch('popover-hidden');
    });
    return managed;
  };

  const createDetached = (): Managed => {
    const managed = create('detached', { title: 'Beacon' });
    managed.win.on('closed', () => {
      if (detached === managed) detached = null;
      if (!managed.replacing) dispatch('detached-closed');
    });
    return managed;
  };

  /** A window whose renderer died shows nothing: replace it, or drop it until the user opens Beacon again. */
  const onRendererGone = (which: WindowMode, managed: Managed, details: { reason: string; exitCode: number }): void => {
    const decision = crashes.decide(which, details);
    if (decision.action === 'ignore') return;
    logger.error(decision.message);
    const wasVisible = !managed.win.isDestroyed() && managed.win.isVisible();
    managed.replacing = decision.action === 'recreate';
    if (!managed.win.isDestroyed()) managed.win.destroy();
    if (decision.action !== 'recreate') return;
    const fresh = which === 'popover' ? (popover = createPopover()) : (detached = createDetached());
    if (wasVisible || which === 'detached') perform(which === 'popover' ? 'show-popover' : 'show-detached');
    else fresh.gate.cancel();
  };

  const perform = (action: WindowAction): void => {
    switch (action) {
      case 'show-popover': {
        popover ??= createPopover();
        const [width = 0, height = 0] = popover.win.getSize();
        const position = placePopover(trayBounds.best(clickBounds, options.trayBounds()), screen.getCursorScreenPoint(), screen.getAllDisplays(), { width, height });
        popover.win.setPosition(position.x, position.y);
        return showManaged(popover);
      }
      case 'hide-popover':
        popover?.gate.cancel();
        if (popover && !popover.win.isDestroyed()) popover.win.hide();
        return;
      case 'show-detached':
        detached ??= createDetached();
        return showManaged(detached);
      case 'prepare-popover':
        popover ??= createPopover();
        return;
      case 'show-dock':
        return void Promise.resolve(options.dock?.show()).catch((error: unknown) => logger.warn('could not show the Dock icon', { error }));
      case 'hide-dock':
        return options.dock?.hide();
    }
  };

  const dispatch = (event: WindowEvent, context?: { devToolsOpen?: boolean }): void => {
    const step = nextWindowStep(state, event, context);
    state = step.state;
    for (const action of step.actions) perform(action);
  };

  const all = (): BrowserWindow[] => [popover, detached].map((m) => m?.win).filter((win): win is BrowserWindow => !!win && !win.isDestroyed());
  const visibleWindow = (): BrowserWindow => {
    dispatch('reopen');
    return (state.mode === 'detached' ? detached : popover)!.win;
  };

  popover = createPopover();

  return {
    toggle(bounds) {
      clickBounds = bounds;
      try {
        dispatch('tray-click');
      } finally {
        clickBounds = undefined;
      }
    },
    show: () => dispatch('reopen'),
    async detach() {
      dispatch('detach');
    },
    isFocused: () => all().some((win) => win.isVisible() && win.isFocused()),
    openCommand(commandId) {
      const win = visibleWindow();
      // A window still loading gets the request once its page is there.
      if (win.webContents.isLoading()) win.webContents.once('did-finish-load', () => win.webContents.send(OPEN_COMMAND_CHANNEL, commandId));
      else win.webContents.send(OPEN_COMMAND_CHANNEL, commandId);
    },
    detachedWindow: () => (detached && !detached.win.isDestroyed() && detached.win.isVisible() ? detached.win : null),
    broadcast(channel, payload) {
      for (const win of all()) win.webContents.send(channel, payload);
    },
    webContentsIds: () => all().map((win) => win.webContents.id),
    destroyAll() {
      dispatch('quit');
      for (const win of all()) win.destroy();
    },
  };
}
