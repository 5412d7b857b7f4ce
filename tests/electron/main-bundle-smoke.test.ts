import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BEACON_ACTION_NAMES, type BeaconIpcApi } from '../../src-main/core/contract/types.js';
import { actionChannel, SHELL_CHANNELS } from '../../src-main/electron/ipc-channels.js';
import { DEFAULT_POPOVER_SIZE } from '../../src-main/electron/window-position.js';
import { createElectronStandIn, installElectronStandIn, type ElectronStandIn } from './electron-stand-in.js';
import { waitFor } from '../support/wait.js';

/**
 * The built main bundle under plain Node, with a recording stand-in for `electron`: the real wiring,
 * the real core (executor in mode 'app', local SQLite queue, lock) and the stand-in agent.
 */
const root = resolve('.');
const outDir = join(root, 'test-artifacts', `electron-smoke-${process.pid}`);
const temp = mkdtempSync(join(tmpdir(), 'beacon-electron-smoke-'));
const mentuHome = join(temp, 'mentu');
const workDir = join(temp, 'work');
const cli = join(root, 'dist-cli', 'beacon.cjs');
const lockFile = join(mentuHome, 'executor.lock');

let standIn: ElectronStandIn;
let uninstall: () => void = () => {};

const lastMenu = () => standIn.menus.at(-1)?.map((item) => item.label ?? '---') ?? [];
const menuItem = (label: string) => standIn.menus.at(-1)?.find((item) => item.label === label);
const readLock = () => (existsSync(lockFile) ? (JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, unknown>) : null);
const env = () => ({ ...process.env, MENTU_HOME: mentuHome, BEACON_LOGIN_SHELL: '0' });
const enqueue = (prompt: string): string =>
  (JSON.parse(execFileSync(process.execPath, [cli, 'enqueue', prompt, '--cwd', workDir, '--json'], { env: env(), encoding: 'utf8' })) as { id: string }).id;
const showError = (id: string) =>
  (JSON.parse(execFileSync(process.execPath, [cli, 'show', id, '--json'], { env: env(), encoding: 'utf8' })) as { errorMessage: string | null }).errorMessage;
const show = (id: string) =>
  JSON.parse(execFileSync(process.execPath, [cli, 'show', id, '--json'], { env: env(), encoding: 'utf8' })) as { status: string; exitCode: number | null };

beforeAll(() => {
  // `electron-vite build` with the app's own config (main + preload), into a folder of this test's own,
  // so a concurrent build or test reading out/ is never disturbed.
  const config = join(root, 'tests/electron/smoke.electron-vite.config.ts');
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '-c', config, '--outDir', outDir, '-l', 'warn'], {
    cwd: root,
    stdio: 'pipe',
  });
  mkdirSync(mentuHome, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    join(mentuHome, 'beacon.yaml'),
    stringify({
      machine: { id: 'beacon-smoke' },
      command_source: 'local',
      execution: { allowed_directories: [workDir], default_agent: 'fake', max_concurrent: 1 },
      agents: {
        fake: { command: process.execPath, args: [join(root, 'tests/support/fake-agent.mjs'), '-p', '{prompt}'], output: 'stream-json' },
      },
    }),
  );
  // main.ts reads MENTU_HOME through core/paths.ts when the bundle loads.
  process.env.MENTU_HOME = mentuHome;
  process.env.BEACON_LOGIN_SHELL = '0';
  launch();
}, 120_000);

/** Load the built main bundle afresh under a new stand-in (a launch of the app). */
function launch(): void {
  uninstall();
  standIn = createElectronStandIn({ userData: join(temp, 'userData'), appPath: root });
  uninstall = installElectronStandIn(standIn);
  const require = createRequire(import.meta.url);
  const bundle = join(outDir, 'main', 'index.js');
  delete require.cache[bundle];
  require(bundle);
}

afterAll(() => {
  uninstall();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
});

describe('the built main bundle under a recording electron stand-in', () => {
  it('on ready: single instance, no Dock icon, session secured, the lock taken in mode app, the tray built from the core', async () => {
    expect(standIn.record.calls).toContain('app.requestSingleInstanceLock');
    expect(standIn.record.calls).toContain('app.dock.hide');
    // With MENTU_HOME set, the app's own data (window sizes, secrets, the single-instance lock) lives beside it.
    expect(standIn.app.getPath('userData')).toBe(join(mentuHome, 'app-data'));
    expect(readLock()).toBeNull();
    standIn.app.emit('ready');

    const lock = await waitFor('the executor lock', () => readLock());
    expect(lock).toMatchObject({ type: 'beacon', mode: 'app', pid: process.pid, machine_id: 'beacon-smoke' });
    expect(standIn.record.calls).toEqual(
      expect.arrayContaining(['session.onHeadersReceived:function', 'session.setPermissionRequestHandler:function', 'session.setPermissionCheckHandler:function']),
    );

    // The agent's health line follows its check (here the agent is node: its --version, no login to check).
    await waitFor('a connected tray with the agent health line', () => lastMenu()[0] === 'Connected: local queue' && lastMenu()[2] !== '---');
    expect(lastMenu()).toEqual([
      'Connected: local queue',
      '0 running',
      `fake ${process.version}`,
      '---',
      'Pause Claiming',
      'Show Beacon',
      'Open Logs Folder',
      '---',
      'Launch at Login',
      '---',
      'Quit Beacon',
    ]);
    expect(standIn.trays).toHaveLength(1);
    expect(standIn.trays[0]!.images.at(-1)).toBe(join(root, 'assets', 'idleTemplate.png'));

    // The popover exists (hidden until asked for and painted), sandboxed, loading the built renderer, on the page's background.
    const popover = standIn.windows[0]!;
    expect(popover.options).toMatchObject({ frame: false, show: false, backgroundColor: '#f5f6f8', webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
    expect(popover.visible).toBe(false);
    // Double clicks are ignored by the tray; the app menu is Beacon's minimal one.
    expect(standIn.trays[0]!.ignoresDoubleClicks).toBe(true);
    const appMenu = standIn.electron.Menu.applicationMenu as { items: { label: string; submenu: { role?: string }[] }[] };
    expect(appMenu.items.map((item) => item.label)).toEqual(['Beacon', 'Edit', 'Window']);
    expect(JSON.stringify(appMenu)).not.toMatch(/toggleDevTools|reload/i);
    expect(popover.url).toBe(`file://${join(outDir, 'renderer', 'index.html')}`);
    expect(popover.options.webPreferences?.preload).toBe(join(outDir, 'preload', 'index.cjs'));
  });

  it('registers one IPC handler per Beacon action plus the shell ones, all checking their sender', async () => {
    const expected = [...BEACON_ACTION_NAMES.map(actionChannel), ...Object.values(SHELL_CHANNELS)].sort();
    expect([...standIn.handlers.keys()].sort()).toEqual(expected);

    const popover = standIn.windows[0]!;
    const ours = { sender: popover.webContents, senderFrame: { url: popover.url! } };
    const snapshot = (await standIn.handlers.get(actionChannel('getSnapshot'))!(ours, [])) as { ok: boolean; value: { machineId: string; mode: string; role: string } };
    expect(snapshot).toMatchObject({ ok: true, value: { machineId: 'beacon-smoke', mode: 'app', role: 'active' } });

    const stranger = { sender: { id: 9999 }, senderFrame: { url: popover.url! } };
    expect(await standIn.handlers.get(actionChannel('pause'))!(stranger, [])).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused/) });
    expect(await standIn.handlers.get(actionChannel('cancel'))!(ours, ['no/slashes'])).toMatchObject({ ok: false, error: expect.stringMatching(/Invalid arguments/) });
  });

  it('the built preload exposes only beaconIpc, needs nothing but electron, and round-trips to the main handlers', async () => {
    const preloadFile = join(outDir, 'preload', 'index.cjs');
    const requires = [...readFileSync(preloadFile, 'utf8').matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron'])); // a sandboxed preload cannot load packages

    const popover = standIn.windows[0]!;
    standIn.renderer.invoke = (channel, ...args) => standIn.handlers.get(channel)!({ sender: popover.webContents, senderFrame: { url: popover.url! } }, ...args) as Promise<unknown>;
    createRequire(import.meta.url)(preloadFile);
    expect(Object.keys(standIn.exposed)).toEqual(['beaconIpc']);
    const bridge = standIn.exposed.beaconIpc as BeaconIpcApi;
    expect(await bridge.invoke('getSnapshot', [])).toMatchObject({ machineId: 'beacon-smoke', role: 'active' });
    await expect(bridge.invoke('readOutput', ['x', -5])).rejects.toThrow(/Invalid arguments for readOutput/);
    const events: unknown[] = [];
    const off = bridge.onEvent((event) => events.push(event));
    standIn.ipcRenderer.emit('beacon:event', { sender: 'ipc' }, { type: 'notice', level: 'info', message: 'hi' });
    off();
    expect(events).toEqual([{ type: 'notice', level: 'info', message: 'hi' }]);
  });

  it('runs one command through the bundled shell: the tray menu is rebuilt, the Mac kept awake, a notification shown', async () => {
    const menusBefore = standIn.menus.length;
    const id = enqueue('@agent lines=4 interval=300\nsmoke test through the Electron shell');

    await waitFor('the tray to show the running command', () => lastMenu().includes('1 running'));
    expect(standIn.menus.length).toBeGreaterThan(menusBefore);
    expect(standIn.trays[0]!.images.some((image) => /running\dTemplate\.png$/.test(image))).toBe(true);
    await waitFor('the power save blocker', () => standIn.blockers.active.size === 1);
    expect(standIn.blockers.started).toEqual(['prevent-app-suspension']);

    const notification = await waitFor('the completion notification', () => standIn.notifications.find((n) => n.shown));
    expect(notification.options.title).toBe('Command completed');
    expect(notification.options.body).toContain('smoke test through the Electron shell');
    expect(show(id)).toMatchObject({ status: 'completed', exitCode: 0 });
    await waitFor('the tray back to idle', () => lastMenu().includes('0 running'));
    await waitFor('the power save blocker released', () => standIn.blockers.active.size === 0);

    // Events reached the window: snapshots and the agent's output.
    const sent = standIn.windows[0]!.webContents.sent.filter((m) => m.channel === 'beacon:event').map((m) => m.payload as { type: string; data?: string });
    expect(sent.some((event) => event.type === 'snapshot')).toBe(true);
    expect(sent.filter((event) => event.type === 'output').map((event) => event.data).join('')).toContain('working 4/4');

    // Clicking the notification opens that command in the window.
    notification.emit('click');
    const popover = standIn.windows[0]!;
    expect(popover.visible).toBe(true);
    expect(popover.webContents.sent.at(-1)).toEqual({ channel: 'beacon:open-command', payload: id });
  });

  it('reopening (activate from Finder, a second launch) shows the window; Ctrl+click opens the menu and reads the login item then', async () => {
    const popover = standIn.windows[0]!;
    popover.hide();
    standIn.app.emit('activate');
    expect(popover.visible).toBe(true);
    popover.emit('blur'); // the popover hides when it loses focus
    expect(popover.visible).toBe(false);
    standIn.app.emit('second-instance');
    expect(popover.visible).toBe(true);
    popover.emit('blur');

    // The login item is read when the menu opens, not on every snapshot.
    const reads = () => standIn.record.calls.filter((call) => call === 'app.getLoginItemSettings').length;
    const before = reads();
    enqueue('@agent lines=2 interval=50\nsnapshots without login-item reads');
    await waitFor('the short job done', () => lastMenu().includes('1 running'));
    await waitFor('idle again', () => lastMenu().includes('0 running'));
    expect(reads()).toBe(before);
    standIn.trays[0]!.emit('click', { ctrlKey: true }, { x: 1200, y: 0, width: 24, height: 24 });
    expect(standIn.record.calls.at(-1)).toBe('tray.popUpContextMenu:menu');
    expect(reads()).toBe(before + 1);
    expect(popover.visible).toBe(false); // a Ctrl+click is not a click that opens the window
  });

  it('a click places the popover under the bounds it reported, and remembers them when the tray later answers zeros', async () => {
    const popover = standIn.windows[0]!;
    const tray = standIn.trays[0]!;
    tray.emit('click', { ctrlKey: false }, { x: 1000, y: 0, width: 24, height: 24 });
    expect(popover.visible).toBe(true);
    expect(popover.position).toEqual([1012 - DEFAULT_POPOVER_SIZE.width / 2, 29]);
    tray.emit('click', { ctrlKey: false }, { x: 1000, y: 0, width: 24, height: 24 }); // the second click hides it
    expect(popover.visible).toBe(false);
    tray.bounds = { x: 0, y: 0, width: 0, height: 0 };
    standIn.app.emit('activate');
    expect(popover.position).toEqual([1012 - DEFAULT_POPOVER_SIZE.width / 2, 29]);
    popover.emit('blur');
    tray.bounds = { x: 1200, y: 0, width: 24, height: 24 };
  });

  it('Open Logs Folder, Launch at Login and detach work from the shell; the Dock icon is up only while detached', async () => {
    const popover = standIn.windows[0]!;
    menuItem('Open Logs Folder')!.click!();
    await waitFor('the logs folder opened', () => standIn.record.calls.includes(`shell.openPath:${join(mentuHome, 'logs')}`));

    const launchItem = menuItem('Launch at Login')!;
    expect(launchItem).toMatchObject({ type: 'checkbox', checked: false });
    launchItem.click!({ checked: true });
    expect(standIn.record.calls).toContain('app.setLoginItemSettings:true');
    expect(menuItem('Launch at Login')).toMatchObject({ checked: true });

    const ours = { sender: popover.webContents, senderFrame: { url: popover.url! } };
    expect(await standIn.handlers.get(SHELL_CHANNELS.detachWindow)!(ours, [])).toEqual({ ok: true, value: null });
    const detached = standIn.windows.at(-1)!;
    expect(detached).not.toBe(popover);
    expect(detached.options.frame).toBeUndefined(); // a normal, framed window
    await waitFor('the detached window painted and shown', () => detached.visible);
    expect(detached.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(standIn.app.dockVisible).toBe(true);
    // Reopening now brings the detached window forward, not the popover.
    standIn.app.emit('activate');
    expect(popover.visible).toBe(false);
    // Closing it returns to the popover and takes the Dock icon away.
    detached.close();
    expect(standIn.app.dockVisible).toBe(false);
    standIn.app.emit('second-instance');
    expect(standIn.windows.filter((w) => !w.destroyed && w.visible)).toEqual([popover]);
    popover.emit('blur');
  });

  it('a crashed renderer is replaced by a fresh window (trusted for IPC); GPU and utility crashes are logged', async () => {
    const popover = standIn.windows[0]!;
    standIn.app.emit('activate');
    const count = standIn.windows.length;
    popover.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    expect(popover.destroyed).toBe(true);
    expect(standIn.windows).toHaveLength(count + 1);
    const fresh = standIn.windows.at(-1)!;
    expect(fresh.options.frame).toBe(false);
    expect(fresh.url).toBe(popover.url);
    await waitFor('the new popover shown once painted', () => fresh.visible);
    const viaFresh = await standIn.handlers.get(actionChannel('getSnapshot'))!({ sender: fresh.webContents, senderFrame: { url: fresh.url! } }, []);
    expect(viaFresh).toMatchObject({ ok: true });
    const viaDead = await standIn.handlers.get(actionChannel('getSnapshot'))!({ sender: popover.webContents, senderFrame: { url: popover.url! } }, []);
    expect(viaDead).toMatchObject({ ok: false });
    fresh.emit('blur');

    standIn.app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: 133 });
    expect(readFileSync(join(mentuHome, 'beacon.log'), 'utf8')).toMatch(/ERROR\s+GPU process gone: crashed \(exit code 133\)/);
    expect(readFileSync(join(mentuHome, 'beacon.log'), 'utf8')).toMatch(/renderer is gone \(crashed, exit code 11\); opening a new one/);
  });

  it('Pause Claiming in the tray pauses the core and the menu turns to Resume Claiming', async () => {
    menuItem('Pause Claiming')!.click!();
    await waitFor('the paused tray', () => lastMenu()[0] === 'Paused: local queue');
    expect(menuItem('Resume Claiming')).toBeDefined();
    menuItem('Resume Claiming')!.click!();
    await waitFor('the resumed tray', () => lastMenu()[0] === 'Connected: local queue');
  });

  it('quit with a command running: declined keeps it running and the lock held; consent cancels it, releases the lock, exits', async () => {
    const id = enqueue('@agent lines=200 interval=200\nlong job');
    await waitFor('the long job running', () => lastMenu().includes('1 running'));

    standIn.dialogAnswer(1); // "Keep Running"
    menuItem('Quit Beacon')!.click!();
    await waitFor('the question', () => standIn.dialogs.length === 1);
    // Asked in front: the app was brought forward just before (no detached window to attach it to).
    expect(standIn.dialogs[0]).toMatchObject({ appFocusedFirst: true, parented: false, message: '1 command is still running' });
    await new Promise((r) => setTimeout(r, 500));
    expect(standIn.app.exitCode).toBeNull();
    expect(show(id).status).toBe('running');
    expect(readLock()).toMatchObject({ pid: process.pid, mode: 'app' });
    await waitFor('claiming resumed', () => lastMenu()[0] === 'Connected: local queue');

    standIn.dialogAnswer(0); // "Cancel Commands and Quit"
    const exited = new Promise((r) => standIn.app.once('test:exit', r));
    menuItem('Quit Beacon')!.click!();
    await exited;
    expect(standIn.dialogs).toHaveLength(2);
    expect(show(id).status).toBe('cancelled');
    expect(readLock()).toBeNull();
    expect(standIn.app.exitCode).toBe(0);
    expect(standIn.trays[0]!.destroyed).toBe(true);
    // The quit's own pause did not stick: the next launch claims as before.
    expect(JSON.parse(readFileSync(join(mentuHome, 'beacon-state.json'), 'utf8'))).toMatchObject({ paused: false });
  });
});

describe('after a restart: the Mac logs out while a command runs', () => {
  it('the next launch claims (the quit did not leave it paused); log out cancels the command as "machine shutting down" with no dialog and exits within the bound', async () => {
    launch();
    standIn.app.emit('ready');
    await waitFor('a connected tray', () => lastMenu()[0] === 'Connected: local queue', 20_000);
    const id = enqueue('@agent lines=200 interval=200\nrunning at log out');
    await waitFor('the job running', () => lastMenu().includes('1 running'));

    const exited = new Promise((r) => standIn.app.once('test:exit', r));
    const event = { prevented: false, preventDefault: () => void (event.prevented = true) };
    const began = Date.now();
    standIn.electron.powerMonitor.emit('shutdown', event);
    expect(event.prevented).toBe(true);
    // macOS's terminate request, arriving meanwhile as before-quit, is held and asks nothing.
    const beforeQuit = { prevented: false, preventDefault: () => void (beforeQuit.prevented = true) };
    standIn.app.emit('before-quit', beforeQuit);
    expect(beforeQuit.prevented).toBe(true);
    await exited;
    expect(Date.now() - began).toBeLessThan(5000);
    expect(standIn.dialogs).toEqual([]);
    expect(show(id)).toMatchObject({ status: 'cancelled' });
    expect(showError(id)).toMatch(/^machine shutting down \((stopped with|ended by) SIG[A-Z]+\)$/);
    expect(readLock()).toBeNull();
  });
});
