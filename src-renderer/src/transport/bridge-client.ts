import type { BeaconActionName, BeaconBridge, BeaconEvent, OutputSlice, SettingsPatch, SettingsView, BeaconSnapshot } from '../../../src-main/core/api/types.js';
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
    getSnapshot: () => call<BeaconSnapshot>('getSnapshot'),
    pause: () => call<void>('pause'),
    resume: () => call<void>('resume'),
    cancel: (id) => call('cancel', id),
    requeue: (id) => call('requeue', id),
    readOutput: (id, offset, maxBytes) =>
      maxBytes === undefined ? call<OutputSlice>('readOutput', id, offset) : call<OutputSlice>('readOutput', id, offset, maxBytes),
    getSettings: () => call<SettingsView>('getSettings'),
    updateSettings: (patch: SettingsPatch) => call<SettingsView>('updateSettings', patch),
    decideApproval: (id, decision) => call<{ ok: boolean; message: string }>('decideApproval', id, decision),
  };
}
