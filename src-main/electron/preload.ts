import { contextBridge, ipcRenderer } from 'electron';
import { createBeaconBridge } from './preload-bridge.js';

// Sandboxed preload (bundled to one CommonJS file): the renderer gets window.beaconBridge and nothing else.
contextBridge.exposeInMainWorld('beaconBridge', createBeaconBridge(ipcRenderer));
