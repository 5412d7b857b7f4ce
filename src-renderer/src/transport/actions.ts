import type { BeaconActionName, BeaconActions, BeaconSnapshot, EnqueueOptions, EnqueueRequest, EnqueueResult, OutputSlice, SettingsPatch, SettingsView } from '../../../src-main/core/contract/types.js';

/** Sends one named action with its arguments; each transport (IPC, WebSocket) supplies its own. */
export type ActionCall = <T>(action: BeaconActionName, ...args: unknown[]) => Promise<T>;

/** The Beacon actions as methods over a transport's call, so every transport exposes exactly the same API. */
export function actionsOver(call: ActionCall): Required<BeaconActions> {
  return {
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
    enqueue: (request: EnqueueRequest) => call<EnqueueResult>('enqueue', request),
    getEnqueueOptions: () => call<EnqueueOptions>('getEnqueueOptions'),
  };
}
