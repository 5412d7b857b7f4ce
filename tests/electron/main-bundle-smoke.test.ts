import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BEACON_ACTION_NAMES, type BeaconIpcApi } from '../../src-main/core/contract/types.js';
import { actionChannel, SHELL_CHANNELS } from '../../src-main/electron/ipc-channels.js';
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
  standIn = createElectronStandIn({ userData: join(temp, 'userData'), appPath: root });
  uninstall = installElectronStandIn(standIn);
  createRequire(import.meta.url)(join(outDir, 'main', 'index.js'));
}, 120_000);

afterAll(() => {
  uninstall();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
});

describe('the built main bundle under a recording electron stand-in', () => {
  it('on ready: single instance, no Dock icon, session secured, the lock taken in mode app, the tray built from the core', async () => {
    expect(standIn.record.calls).toContain('app.requestSingleInstanceLock');
    expect(standIn.record.calls).toContain('app.dock.hide');
    expect(readLock()).toBeNull();
    standIn.app.emit('ready');

    const lock = await waitFor('the executor lock', () => readLock());
    expect(lock).toMatchObject({ type: 'beacon', mode: 'app', pid: process.pid, machine_id: 'beacon-smoke' });
    expect(standIn.record.calls).toEqual(
      expect.arrayContaining(['session.onHeadersReceived:function', 'session.setPermissionRequestHandler:function', 'session.setPermissionCheckHandler:function']),
    );

    await waitFor('a connected tray', () => lastMenu()[0] === 'Connected: local queue');
    expect(lastMenu()).toEqual([
      'Connected: local queue',
      '0 running',
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

    // The popover exists (hidden), sandboxed, loading the built renderer.
    const popover = standIn.windows[0]!;
    expect(popover.options).toMatchObject({ frame: false, webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
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

  it('a second launch shows the window; Open Logs Folder, Launch at Login and detach work from the shell', async () => {
    const popover = standIn.windows[0]!;
    popover.hide();
    standIn.app.emit('second-instance');
    expect(popover.visible).toBe(true);
    popover.emit('blur'); // the popover hides when it loses focus
    expect(popover.visible).toBe(false);

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
    expect(detached.visible).toBe(true);
    expect(detached.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
    // Closing it returns to the popover.
    detached.close();
    standIn.app.emit('second-instance');
    expect(standIn.windows.filter((w) => !w.destroyed && w.visible)).toHaveLength(1);
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
