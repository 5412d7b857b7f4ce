import type { BeaconBridge } from '../../src-main/core/api/types.js';

declare global {
  interface Window {
    /** Present only inside the Electron window (the preload's contextBridge). */
    beaconBridge?: BeaconBridge;
  }
}

export {};
