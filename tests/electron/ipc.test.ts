import { describe, expect, it } from 'vitest';
import { BEACON_ACTION_NAMES, type BeaconActions } from '../../src-main/core/contract/types.js';
import { silentLogger } from '../../src-main/core/logger.js';
import { actionChannel, SHELL_CHANNELS, type IpcReply } from '../../src-main/electron/ipc-channels.js';
import { isOurRendererUrl, registerIpcHandlers, type IpcMainLike, type IpcSenderEvent } from '../../src-main/electron/ipc.js';
import { createIpcApi } from '../../src-main/electron/preload-api.js';
import { snapshotWith } from '../support/snapshot-fixture.js';

const RENDERER_URL = 'file:///Applications/Beacon.app/Contents/Resources/app.asar/out/renderer/index.html';
const OUR_WEB_CONTENTS = 7;

type Handler = (event: IpcSenderEvent, ...args: unknown[]) => Promise<IpcReply>;

function setup() {
  const handlers = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const calls: { name: string; args: unknown[] }[] = [];
  const record =
    <T>(name: string, value: T) =>
    async (...args: unknown[]): Promise<T> => {
      calls.push({ name, args });
      return value;
    };
  const actions: BeaconActions = {
    getSnapshot: record('getSnapshot', snapshotWith()),
    pause: record('pause', undefined),
    resume: record('resume', undefined),
    cancel: record('cancel', { ok: true, message: 'cancelled' }),
    requeue: record('requeue', { ok: true, message: 'requeued', newCommandId: 'new1' }),
    readOutput: record('readOutput', { commandId: 'c1', offset: 0, nextOffset: 2, data: 'hi', complete: true }),
    getSettings: record('getSettings', {} as never),
    updateSettings: record('updateSettings', {} as never),
  };
  const shellCalls: string[] = [];
  const registration = registerIpcHandlers({
    ipcMain,
    actions,
    shell: {
      detachWindow: async () => void shellCalls.push('detachWindow'),
      openLogsFolder: async () => void shellCalls.push('openLogsFolder'),
      openLoginItemsSettings: async () => void shellCalls.push('openLoginItemsSettings'),
      moveToApplications: async () => void shellCalls.push('moveToApplications'),
    },
    trust: { rendererUrl: RENDERER_URL, ownWebContentsIds: () => [OUR_WEB_CONTENTS] },
    logger: silentLogger,
  });
  const call = (channel: string, args: unknown, event: IpcSenderEvent = goodEvent()) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, args);
  };
  return { handlers, calls, shellCalls, registration, call };
}

const goodEvent = (url = `${RENDERER_URL}#/command/c1`, id = OUR_WEB_CONTENTS): IpcSenderEvent => ({ sender: { id }, senderFrame: { url } });

describe('IPC handlers', () => {
  it('register one handler per Beacon action plus the shell actions', () => {
    const { handlers, registration } = setup();
    const expected = [...BEACON_ACTION_NAMES.map(actionChannel), ...Object.values(SHELL_CHANNELS)];
    expect([...handlers.keys()].sort()).toEqual([...expected].sort());
    expect(registration.channels.sort()).toEqual([...expected].sort());
    registration.dispose();
    expect(handlers.size).toBe(0);
  });

  it('dispatch good calls from our window to the core with validated arguments', async () => {
    const { call, calls, shellCalls } = setup();
    expect(await call(actionChannel('cancel'), ['cmd_1'])).toEqual({ ok: true, value: { ok: true, message: 'cancelled' } });
    expect(await call(actionChannel('readOutput'), ['cmd_1', 10, 4096])).toMatchObject({ ok: true, value: { data: 'hi' } });
    expect(await call(actionChannel('getSnapshot'), [])).toMatchObject({ ok: true, value: { machineId: 'beacon-test' } });
    expect(await call(SHELL_CHANNELS.detachWindow, [])).toEqual({ ok: true, value: null });
    expect(calls).toEqual([
      { name: 'cancel', args: ['cmd_1'] },
      { name: 'readOutput', args: ['cmd_1', 10, 4096] },
      { name: 'getSnapshot', args: [] },
    ]);
    expect(shellCalls).toEqual(['detachWindow']);
  });

  it('refuse a sender that is not our webContents, or a frame showing another page', async () => {
    const { call, calls, shellCalls } = setup();
    const foreignContents = await call(actionChannel('pause'), [], goodEvent(RENDERER_URL, 99));
    expect(foreignContents).toEqual({ ok: false, error: 'Refused: the request did not come from a Beacon window' });
    for (const url of ['https://evil.example/index.html', 'file:///tmp/evil/index.html', 'about:blank', 'not a url']) {
      const reply = await call(actionChannel('cancel'), ['cmd_1'], goodEvent(url));
      expect(reply, url).toEqual({ ok: false, error: 'Refused: the request came from a page that is not Beacon' });
    }
    const noFrame = await call(SHELL_CHANNELS.openLogsFolder, [], { sender: { id: OUR_WEB_CONTENTS }, senderFrame: null });
    expect(noFrame.ok).toBe(false);
    expect(calls).toEqual([]);
    expect(shellCalls).toEqual([]);
  });

  it('refuse bad arguments with a message naming what was expected, before the core runs', async () => {
    const { call, calls, shellCalls } = setup();
    const badId = await call(actionChannel('cancel'), ['../../etc/passwd']);
    expect(badId).toMatchObject({ ok: false });
    expect((badId as { error: string }).error).toMatch(/Invalid arguments for cancel at argument 0/);
    expect(await call(actionChannel('cancel'), [])).toMatchObject({ ok: false });
    expect(await call(actionChannel('readOutput'), ['c1', -1])).toMatchObject({ ok: false });
    expect(await call(actionChannel('pause'), ['extra'])).toMatchObject({ ok: false });
    expect(await call(actionChannel('updateSettings'), [{ supabaseKey: 'k', evil: true }])).toMatchObject({ ok: false });
    expect(await call(actionChannel('cancel'), 'cmd_1')).toMatchObject({ ok: false });
    expect(await call(SHELL_CHANNELS.openLogsFolder, ['/etc'])).toEqual({ ok: false, error: 'Invalid arguments for openLogsFolder: expected none' });
    expect(calls).toEqual([]);
    expect(shellCalls).toEqual([]);
  });

  it('recognise our renderer URL by file path, or by origin for the dev server', () => {
    expect(isOurRendererUrl(`${RENDERER_URL}?x=1#y`, RENDERER_URL)).toBe(true);
    expect(isOurRendererUrl('file:///Applications/Beacon.app/Contents/Resources/app.asar/out/renderer/other.html', RENDERER_URL)).toBe(false);
    expect(isOurRendererUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true);
    expect(isOurRendererUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isOurRendererUrl(null, RENDERER_URL)).toBe(false);
  });

  it('the preload bridge round-trips through the handlers and surfaces refusals as errors', async () => {
    const setupCalls = setup();
    const { handlers, calls } = setupCalls;
    const listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
    const bridge = createIpcApi({
      invoke: (channel, ...args) => handlers.get(channel)!(goodEvent(), ...args),
      on: (channel, listener) => listeners.set(channel, [...(listeners.get(channel) ?? []), listener]),
      removeListener: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener)),
    });
    expect(await bridge.invoke('requeue', ['cmd_2'])).toEqual({ ok: true, message: 'requeued', newCommandId: 'new1' });
    await expect(bridge.invoke('cancel', [42])).rejects.toThrow(/Invalid arguments for cancel/);
    await expect(bridge.invoke('deleteEverything' as never, [])).rejects.toThrow(/Unknown action/);
    expect(calls).toEqual([{ name: 'requeue', args: ['cmd_2'] }]);

    const seen: unknown[] = [];
    const unsubscribe = bridge.onEvent((event) => seen.push(event));
    const emit = (channel: string, value: unknown) => (listeners.get(channel) ?? []).forEach((l) => l({ sender: 'ipc' }, value));
    emit('beacon:event', { type: 'notice', level: 'info', message: 'hello' });
    unsubscribe();
    emit('beacon:event', { type: 'notice', level: 'info', message: 'after unsubscribe' });
    expect(seen).toEqual([{ type: 'notice', level: 'info', message: 'hello' }]);

    // The login-item actions cross the same checked channels.
    await bridge.shell!.openLoginItemsSettings!();
    await bridge.shell!.moveToApplications!();

    const opened: string[] = [];
    bridge.shell!.onOpenCommand!((id) => opened.push(id));
    emit('beacon:open-command', 'cmd_9');
    expect(opened).toEqual(['cmd_9']);
    const { shellCalls } = setupCalls;
    expect(shellCalls).toEqual(['openLoginItemsSettings', 'moveToApplications']);
  });
});
