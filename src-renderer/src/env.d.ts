import type { BeaconIpcApi } from '../../src-main/core/contract/types.js';

declare global {
  interface Window {
    /** Present only inside the Electron window (the preload's contextBridge). */
    beaconIpc?: BeaconIpcApi;
  }
}

export {};
