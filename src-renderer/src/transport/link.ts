import type { BeaconIpcApi, BeaconClient } from '../../../src-main/core/contract/types.js';

/** How this page is connected to Beacon (the transport), separate from how Beacon is connected to its source. */
export type LinkStateName = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'auth_failed';

export interface LinkState {
  state: LinkStateName;
  reason: string | null;
  /** Increases on every (re)connection, so views can resync what they show. */
  generation: number;
}

export interface UiClient extends BeaconClient {
  readonly transport: 'ipc' | 'websocket';
  /** Window actions of the Electron shell (absent in a browser). */
  readonly shell: NonNullable<BeaconIpcApi['shell']> | null;
  link(): LinkState;
  onLink(listener: (state: LinkState) => void): () => void;
  /** Try to connect now (after auth_failed or offline). */
  reconnect(): void;
}
