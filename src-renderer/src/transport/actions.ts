import type {
  BeaconActionName, BeaconActions, BeaconSnapshot, CommandText, EnqueueOptions, EnqueueRequest, EnqueueResult, OutputSlice, PermissionAnswerResult,
  SettingsPatch, SettingsView, SignInView, WorkspaceChoice,
} from '../../../src-main/core/contract/types.js';

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
    followUp: (id, prompt) => call<{ ok: boolean; message: string; newCommandId?: string }>('followUp', id, prompt),
    // The surface is the transport's to add (dispatchAction's context), never the window's to claim.
    answerPermission: (id, answer) => call<PermissionAnswerResult>('answerPermission', id, answer),
    startSignIn: () => call<SignInView>('startSignIn'),
    getSignIn: () => call<SignInView>('getSignIn'),
    listWorkspaces: () => call<WorkspaceChoice[]>('listWorkspaces'),
    signOut: () => call<void>('signOut'),
    readCommandText: (id) => call<CommandText>('readCommandText', id),
    enqueue: (request: EnqueueRequest) => call<EnqueueResult>('enqueue', request),
    getEnqueueOptions: () => call<EnqueueOptions>('getEnqueueOptions'),
  };
}
