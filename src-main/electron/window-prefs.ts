import Store from 'electron-store';
import { DEFAULT_DETACHED_SIZE, DEFAULT_POPOVER_SIZE, sanitizeSize, type Size } from './window-position.js';

/**
 * UI preferences (window sizes) in electron-store: the one module that touches it. electron-store is
 * ESM-only and reads Electron's userData path, so the main bundle carries it (electron.vite.config.ts).
 */
export type WindowMode = 'popover' | 'detached';

export interface WindowPrefs {
  size(mode: WindowMode): Size;
  setSize(mode: WindowMode, size: Size): void;
}

interface PrefsShape {
  popoverSize?: Size;
  detachedSize?: Size;
}

const DEFAULTS: Record<WindowMode, Size> = { popover: DEFAULT_POPOVER_SIZE, detached: DEFAULT_DETACHED_SIZE };
const KEYS = { popover: 'popoverSize', detached: 'detachedSize' } as const;

export function createWindowPrefs(): WindowPrefs {
  const store = new Store<PrefsShape>({ name: 'ui-preferences', clearInvalidConfig: true });
  return {
    size: (mode) => sanitizeSize(store.get(KEYS[mode]), DEFAULTS[mode]),
    setSize: (mode, size) => store.set(KEYS[mode], sanitizeSize(size, DEFAULTS[mode])),
  };
}

/** Preferences kept in memory only (when the store cannot be opened). */
export function memoryWindowPrefs(): WindowPrefs {
  const sizes: Record<WindowMode, Size> = { ...DEFAULTS };
  return { size: (mode) => sizes[mode], setSize: (mode, size) => void (sizes[mode] = size) };
}
