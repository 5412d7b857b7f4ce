import type { BeaconActionName, BeaconBridge, BeaconEvent } from '../../../src-main/core/contract/types.js';
import { actionsOver } from './actions.js';
import type { LinkState, UiClient } from './link.js';

/** The Electron transport: the preload's window.beaconBridge (IPC), which is always connected. */
export function createBridgeClient(bridge: BeaconBridge): UiClient {
  const link: LinkState = { state: 'connected', reason: null, generation: 1 };
  const call = <T>(action: BeaconActionName, ...args: unknown[]): Promise<T> => bridge.invoke(action, args) as Promise<T>;
  return {
    transport: 'ipc',
    shell: bridge.shell ?? null,
    link: () => link,
    onLink: () => () => {},
    reconnect: () => {},
    subscribe: (listener: (event: BeaconEvent) => void) => bridge.onEvent(listener),
    ...actionsOver(call),
  };
}
