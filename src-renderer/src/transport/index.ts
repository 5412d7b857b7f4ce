import { createBridgeClient } from './bridge-client.js';
import { createSocketClient } from './socket-client.js';
import type { UiClient } from './link.js';

/** Inside Electron the preload provides window.beaconBridge; in a browser the dashboard's WebSocket is used. */
export function createUiClient(): UiClient {
  return window.beaconBridge ? createBridgeClient(window.beaconBridge) : createSocketClient();
}

export type { UiClient, LinkState, LinkStateName } from './link.js';
