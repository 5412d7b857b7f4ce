import { BEACON_ACTION_NAMES, type BeaconIpcApi, type BeaconEvent } from '../core/contract/types.js';
import { actionChannel, EVENT_CHANNEL, OPEN_COMMAND_CHANNEL, SHELL_CHANNELS, type IpcReply } from './ipc-channels.js';

/**
 * The BeaconIpcApi the preload exposes, built over an ipcRenderer-like object so it is tested in Node.
 * Only names and envelopes cross here: no Node objects, no secrets, no raw ipcRenderer.
 */

type Listener = (event: unknown, ...args: unknown[]) => void;
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: Listener): unknown;
  removeListener(channel: string, listener: Listener): unknown;
}

function unwrap(reply: unknown): unknown {
  const envelope = reply as IpcReply | null;
  if (envelope && envelope.ok === true) return envelope.value;
  throw new Error(envelope && envelope.ok === false ? envelope.error : 'Beacon returned an unreadable reply');
}

export function createIpcApi(ipc: IpcRendererLike): BeaconIpcApi {
  const subscribe = <T>(channel: string, listener: (value: T) => void): (() => void) => {
    const wrapped: Listener = (_event, value) => listener(value as T);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  return {
    async invoke(action, args) {
      if (!(BEACON_ACTION_NAMES as readonly string[]).includes(action)) throw new Error(`Unknown action ${String(action)}`);
      return unwrap(await ipc.invoke(actionChannel(action), Array.isArray(args) ? args : []));
    },
    onEvent: (listener) => subscribe<BeaconEvent>(EVENT_CHANNEL, listener),
    shell: {
      detachWindow: async () => void unwrap(await ipc.invoke(SHELL_CHANNELS.detachWindow, [])),
      openLogsFolder: async () => void unwrap(await ipc.invoke(SHELL_CHANNELS.openLogsFolder, [])),
      openLoginItemsSettings: async () => void unwrap(await ipc.invoke(SHELL_CHANNELS.openLoginItemsSettings, [])),
      moveToApplications: async () => void unwrap(await ipc.invoke(SHELL_CHANNELS.moveToApplications, [])),
      onOpenCommand: (listener) => subscribe<string>(OPEN_COMMAND_CHANNEL, listener),
    },
  };
}
