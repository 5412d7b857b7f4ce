import { BrowserWindow, screen } from 'electron';
import { OPEN_COMMAND_CHANNEL } from './ipc-channels.js';
import { secureWebPreferences } from './security.js';
import { MIN_WINDOW_SIZE, popoverPosition, type Rect } from './window-position.js';
import type { WindowMode, WindowPrefs } from './window-prefs.js';

/**
 * Beacon's window: a frameless popover under the tray icon that hides when it loses focus, which can be
 * detached into a normal window (and returns to the popover when that window is closed). Each remembers
 * its own size.
 */
export interface WindowManagerOptions {
  rendererUrl: string;
  preloadPath: string;
  prefs: WindowPrefs;
  /** Where the tray icon is now (the popover is placed under it). */
  trayBounds(): Rect;
}

export interface WindowManager {
  /** Tray click: show the popover, or hide it if it is showing; focus the detached window if there is one. */
  toggle(): void;
  show(): void;
  detach(): Promise<void>;
  /** A Beacon window is visible and focused (notifications are then not needed). */
  isFocused(): boolean;
  /** Show the window and ask the renderer to open one command. */
  openCommand(commandId: string): void;
  /** Send to every Beacon window. */
  broadcast(channel: string, payload: unknown): void;
  webContentsIds(): number[];
  destroyAll(): void;
}

export function createWindowManager(options: WindowManagerOptions): WindowManager {
  let mode: WindowMode = 'popover';
  let popover: BrowserWindow | null = null;
  let detached: BrowserWindow | null = null;
  let quitting = false;

  const rememberSize = (win: BrowserWindow, which: WindowMode): void => {
    win.on('resized', () => {
      const [width = 0, height = 0] = win.getSize();
      options.prefs.setSize(which, { width, height });
    });
  };

  const createPopover = (): BrowserWindow => {
    const size = options.prefs.size('popover');
    const win = new BrowserWindow({
      ...size,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      frame: false,
      resizable: true,
      movable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      skipTaskbar: true,
      alwaysOnTop: true,
      transparent: false,
      webPreferences: secureWebPreferences(options.preloadPath),
    });
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.on('blur', () => {
      if (!win.webContents.isDevToolsOpened()) win.hide();
    });
    win.on('closed', () => {
      if (popover === win) popover = null;
    });
    rememberSize(win, 'popover');
    void win.loadURL(options.rendererUrl);
    return win;
  };

  const createDetached = (): BrowserWindow => {
    const win = new BrowserWindow({
      ...options.prefs.size('detached'),
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      title: 'Beacon',
      webPreferences: secureWebPreferences(options.preloadPath),
    });
    win.on('closed', () => {
      if (detached !== win) return;
      detached = null;
      mode = 'popover';
      if (!quitting) popover ??= createPopover(); // back to the tray popover, warm for the next click
    });
    rememberSize(win, 'detached');
    void win.loadURL(options.rendererUrl);
    return win;
  };

  const showPopover = (): BrowserWindow => {
    popover ??= createPopover();
    const bounds = options.trayBounds();
    const [width = 0, height = 0] = popover.getSize();
    const display = screen.getDisplayNearestPoint({ x: Math.round(bounds.x + bounds.width / 2), y: Math.round(bounds.y) });
    popover.setPosition(...asPair(popoverPosition(bounds, { width, height }, display.workArea)));
    popover.show();
    popover.focus();
    return popover;
  };

  const showDetached = (): BrowserWindow => {
    detached ??= createDetached();
    detached.show();
    detached.focus();
    return detached;
  };

  const visibleWindow = (): BrowserWindow => (mode === 'detached' ? showDetached() : showPopover());
  const all = (): BrowserWindow[] => [popover, detached].filter((win): win is BrowserWindow => !!win && !win.isDestroyed());

  popover = createPopover();

  return {
    toggle() {
      if (mode === 'popover' && popover?.isVisible()) popover.hide();
      else visibleWindow();
    },
    show: () => void visibleWindow(),
    async detach() {
      if (mode === 'detached') return void showDetached();
      mode = 'detached';
      popover?.hide();
      showDetached();
    },
    isFocused: () => all().some((win) => win.isVisible() && win.isFocused()),
    openCommand(commandId) {
      const win = visibleWindow();
      win.webContents.send(OPEN_COMMAND_CHANNEL, commandId);
    },
    broadcast(channel, payload) {
      for (const win of all()) win.webContents.send(channel, payload);
    },
    webContentsIds: () => all().map((win) => win.webContents.id),
    destroyAll() {
      quitting = true;
      for (const win of all()) win.destroy();
    },
  };
}

function asPair(point: { x: number; y: number }): [number, number] {
  return [point.x, point.y];
}
