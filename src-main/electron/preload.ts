import { contextBridge, ipcRenderer } from 'electron';
import { createIpcApi } from './preload-api.js';

// Sandboxed preload (bundled to one CommonJS file): the renderer gets window.beaconIpc and nothing else.
contextBridge.exposeInMainWorld('beaconIpc', createIpcApi(ipcRenderer));
