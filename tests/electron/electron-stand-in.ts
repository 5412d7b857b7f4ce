import { EventEmitter } from 'node:events';
import Module from 'node:module';

/**
 * A recording stand-in for the `electron` module, so the built main bundle runs under plain Node: every
 * object the shell touches exists, records what was done to it, and lets a test drive events (ready,
 * clicks, resume). Installed by hooking Module._resolveFilename and require.cache for the name 'electron'.
 */

export interface StandInOptions {
  userData: string;
  appPath: string;
  /** Answer of dialog.showMessageBox (0 = the first button). */
  dialogResponse?: number;
}

type Listener = (...args: unknown[]) => unknown;
let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: Listener | null = null;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDevToolsOpened(): boolean {
    return false;
  }
  isLoading(): boolean {
    return false;
  }
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
}

export function createElectronStandIn(options: StandInOptions) {
  const record: { calls: string[] } = { calls: [] };
  const log = (entry: string): void => void record.calls.push(entry);

  let readyResolve!: () => void;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const paths = new Map<string, string>([['userData', options.userData]]);
  const app = Object.assign(new EventEmitter(), {
    exitCode: null as number | null,
    isPackaged: false,
    name: 'Beacon',
    loginItem: { openAtLogin: false, status: null as string | null },
    inApplicationsFolder: true,
    dockVisible: false,
    requestSingleInstanceLock: () => (log('app.requestSingleInstanceLock'), true),
    whenReady: () => ready,
    isReady: () => false,
    quit: () => log('app.quit'),
    exit(code = 0) {
      log(`app.exit:${code}`);
      app.exitCode = code;
      app.emit('test:exit', code);
    },
    getPath: (name: string) => paths.get(name) ?? `${paths.get('userData')}/${name}`,
    setPath(name: string, value: string) {
      log(`app.setPath:${name}`);
      paths.set(name, value);
    },
    getAppPath: () => options.appPath,
    getVersion: () => '0.1.0',
    getName: () => 'Beacon',
    focus: (options?: { steal?: boolean }) => log(`app.focus${options?.steal ? ':steal' : ''}`),
    dock: {
      hide: () => {
        log('app.dock.hide');
        app.dockVisible = false;
      },
      show: async () => {
        log('app.dock.show');
        app.dockVisible = true;
      },
    },
    getLoginItemSettings: () => {
      log('app.getLoginItemSettings');
      return { openAtLogin: app.loginItem.openAtLogin, status: app.loginItem.status ?? (app.loginItem.openAtLogin ? 'enabled' : 'not-registered') };
    },
    isInApplicationsFolder: () => app.inApplicationsFolder,
    moveToApplicationsFolder: () => (log('app.moveToApplicationsFolder'), true),
    setLoginItemSettings(settings: { openAtLogin: boolean }) {
      log(`app.setLoginItemSettings:${settings.openAtLogin}`);
      app.loginItem.openAtLogin = settings.openAtLogin;
    },
  });
  app.on('ready', () => readyResolve());

  const trays: FakeTray[] = [];
  class FakeTray extends EventEmitter {
    images: string[] = [];
    ignoresDoubleClicks = false;
    tooltip = '';
    destroyed = false;
    constructor(image: { path: string }) {
      super();
      this.images.push(image.path);
      trays.push(this);
    }
    setImage(image: { path: string }) {
      this.images.push(image.path);
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setIgnoreDoubleClickEvents(ignore: boolean) {
      this.ignoresDoubleClicks = ignore;
    }
    /** What getBounds answers (macOS answers zeros at times). */
    bounds = { x: 1200, y: 0, width: 24, height: 24 };
    getBounds() {
      return this.bounds;
    }
    popUpContextMenu(menu: unknown) {
      log(`tray.popUpContextMenu:${menu ? 'menu' : 'none'}`);
    }
    destroy() {
      this.destroyed = true;
    }
    isDestroyed() {
      return this.destroyed;
    }
  }

  const menus: { label?: string; type?: string; enabled?: boolean; checked?: boolean; click?: Listener }[][] = [];
  const Menu = {
    buildFromTemplate(template: (typeof menus)[number]) {
      menus.push(template);
      return { items: template };
    },
    applicationMenu: null as unknown,
    setApplicationMenu(menu: unknown) {
      Menu.applicationMenu = menu;
    },
  };

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    visible = false;
    focused = false;
    destroyed = false;
    url: string | null = null;
    position: [number, number] = [0, 0];
    size: [number, number];
    constructor(readonly options: { width: number; height: number; frame?: boolean; show?: boolean; backgroundColor?: string; webPreferences?: Record<string, unknown> }) {
      super();
      this.size = [options.width, options.height];
      windows.push(this);
    }
    async loadURL(url: string) {
      this.url = url;
      // The page "paints" on the next turn, as a real one would a little later.
      setImmediate(() => this.emit('ready-to-show'));
    }
    show() {
      const wasVisible = this.visible;
      this.visible = true;
      this.focused = true;
      if (!wasVisible) this.emit('show');
    }
    hide() {
      const wasVisible = this.visible;
      this.visible = false;
      this.focused = false;
      if (wasVisible) this.emit('hide');
    }
    focus() {
      this.focused = true;
    }
    isVisible() {
      return this.visible;
    }
    isFocused() {
      return this.focused;
    }
    getSize() {
      return this.size;
    }
    setPosition(x: number, y: number) {
      this.position = [x, y];
    }
    setVisibleOnAllWorkspaces() {}
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
      this.emit('closed');
    }
    close() {
      this.destroy();
    }
    static getAllWindows() {
      return windows.filter((w) => !w.destroyed);
    }
  }

  const handlers = new Map<string, Listener>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handle(channel: string, listener: Listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel: string) => void handlers.delete(channel),
  });

  const notifications: FakeNotification[] = [];
  class FakeNotification extends EventEmitter {
    shown = false;
    constructor(readonly options: { title: string; body: string }) {
      super();
      notifications.push(this);
    }
    show() {
      this.shown = true;
    }
    static isSupported() {
      return true;
    }
  }

  const blockers = { next: 1, active: new Set<number>(), started: [] as string[] };
  const powerSaveBlocker = {
    start(type: string) {
      blockers.started.push(type);
      const id = blockers.next++;
      blockers.active.add(id);
      return id;
    },
    stop: (id: number) => void blockers.active.delete(id),
    isStarted: (id: number) => blockers.active.has(id),
  };

  /** What a preload exposed with contextBridge, and where its ipcRenderer.invoke calls go (set by a test). */
  const exposed: Record<string, unknown> = {};
  const renderer = { invoke: async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined };
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: (channel: string, ...args: unknown[]) => renderer.invoke(channel, ...args),
  });
  const dialogs: unknown[] = [];
  let dialogResponse = options.dialogResponse ?? 1;
  const electron = {
    app,
    Tray: FakeTray,
    Menu,
    BrowserWindow: FakeBrowserWindow,
    ipcMain,
    Notification: FakeNotification,
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('base64')}`),
      decryptString: (blob: Buffer) => Buffer.from(blob.toString().replace(/^enc:/, ''), 'base64').toString(),
    },
    powerMonitor: new EventEmitter(),
    powerSaveBlocker,
    nativeImage: {
      createFromPath: (path: string) => ({ path, template: false, setTemplateImage(this: { template: boolean }, v: boolean) { this.template = v; }, isEmpty: () => false }),
    },
    shell: {
      openPath: async (path: string) => (log(`shell.openPath:${path}`), ''),
      openExternal: async (url: string) => void log(`shell.openExternal:${url}`),
    },
    dialog: {
        async showMessageBox(parentOrOptions: unknown, maybeOptions?: unknown) {
        const parented = maybeOptions !== undefined;
        dialogs.push({ ...(parented ? maybeOptions : parentOrOptions) as object, parented, appFocusedFirst: record.calls.at(-1) === 'app.focus:steal' });
        return { response: dialogResponse, checkboxChecked: false };
      },
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: Listener) => void log(`session.onHeadersReceived:${typeof fn}`) },
        setPermissionRequestHandler: (fn: Listener) => void log(`session.setPermissionRequestHandler:${typeof fn}`),
        setPermissionCheckHandler: (fn: Listener) => void log(`session.setPermissionCheckHandler:${typeof fn}`),
      },
    },
    screen: {
      cursor: { x: 700, y: 10 },
      displays: [{ bounds: { x: 0, y: 0, width: 1440, height: 900 }, workArea: { x: 0, y: 25, width: 1440, height: 875 } }],
      getCursorScreenPoint: () => electron.screen.cursor,
      getAllDisplays: () => electron.screen.displays,
    },
    nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColors: false }),
    net: { isOnline: () => true },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
    ipcRenderer,
  };

  const dialogAnswer = (response: number): void => void (dialogResponse = response);
  return { electron, record, app, trays, menus, windows, handlers, notifications, blockers, dialogs, dialogAnswer, exposed, renderer, ipcRenderer };
}

export type ElectronStandIn = ReturnType<typeof createElectronStandIn>;

const STAND_IN_PATH = '/virtual/electron-stand-in.js';

/** Make require('electron') return the stand-in, for any module loaded after this call. */
export function installElectronStandIn(standIn: ElectronStandIn): () => void {
  const moduleInternals = Module as unknown as {
    _resolveFilename(request: string, ...rest: unknown[]): string;
    _cache: Record<string, unknown>;
  };
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'electron' ? STAND_IN_PATH : original.call(this, request, ...rest);
  };
  const cached = new Module(STAND_IN_PATH);
  cached.filename = STAND_IN_PATH;
  cached.loaded = true;
  cached.exports = standIn.electron;
  moduleInternals._cache[STAND_IN_PATH] = cached;
  return () => {
    moduleInternals._resolveFilename = original;
    delete moduleInternals._cache[STAND_IN_PATH];
  };
}
