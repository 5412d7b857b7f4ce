import type { BeaconActionName, BeaconIpcApi, BeaconEvent } from '../../../src-main/core/contract/types.js';
import { actionsOver } from './actions.js';
import type { LinkState, UiClient } from './link.js';

/** The Electron transport: the preload's window.beaconIpc (IPC), which is always connected. */
export function createIpcClient(ipc: BeaconIpcApi): UiClient {
  const link: LinkState = { state: 'connected', reason: null, generation: 1 };
  const call = <T>(action: BeaconActionName, ...args: unknown[]): Promise<T> => ipc.invoke(action, args) as Promise<T>;
  return {
    transport: 'ipc',
    shell: ipc.shell ?? null,
    link: () => link,
    onLink: () => () => {},
    reconnect: () => {},
    subscribe: (listener: (event: BeaconEvent) => void) => ipc.onEvent(listener),
    ...actionsOver(call),
  };
}
