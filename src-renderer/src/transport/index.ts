import { createIpcClient } from './ipc-client.js';
import { createSocketClient } from './socket-client.js';
import type { UiClient } from './link.js';

/** Inside Electron the preload provides window.beaconIpc; in a browser the dashboard's WebSocket is used. */
export function createUiClient(): UiClient {
  return window.beaconIpc ? createIpcClient(window.beaconIpc) : createSocketClient();
}

export type { UiClient, LinkState, LinkStateName } from './link.js';
