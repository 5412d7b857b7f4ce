/**
 * The Beacon API: the one contract between the core and any UI (the Electron tray window over IPC,
 * the headless dashboard over a local WebSocket, the CLI over the control socket).
 * This file is types only, so the renderer can import it without pulling in Node code.
 */

import type { CommandStatus } from './command.js';
import type { PermissionAnswerInput, PermissionRequestView, PermissionSurface } from './permission-request.js';
import type { RunSummary } from './run-summary.js';

export type { PermissionAnswerInput, PermissionRequestView, PermissionSurface } from './permission-request.js';

export type ConnectionStateName = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'auth_failed';

export interface CommandView {
  id: string;
  status: CommandStatus;
  prompt: string;
  workingDirectory: string;
  agent: string;
  targetMachineId: string | null;
  workspaceId: string | null;
  commitmentId: string | null;
  createdAt: string;
  claimedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  exitCode: number | null;
  errorMessage: string | null;
  summary: RunSummary | null;
  /** Bytes in the command's output log so far (for replay from an offset). */
  outputBytes: number;
  /** A successful run waits in awaiting_approval for a person's decision (optional: older cores omit it). */
  approvalRequired?: boolean;
  /** The shell command an approval runs in the command's directory; null when the approval only completes it. */
  onApprove?: string | null;
  /**
   * A view carries at most VIEW_TEXT_CHARS of the prompt and of the error (issue 15, point 4): true when
   * this one was cut; readCommandText gives the whole of it.
   */
  promptTruncated?: boolean;
  errorTruncated?: boolean;
}

/** How much of a prompt, an error or a summary text a view carries. */
export const VIEW_TEXT_CHARS = 2000;

/** A command's whole prompt and error, asked for on demand (readCommandText). */
export interface CommandText {
  commandId: string;
  prompt: string;
  errorMessage: string | null;
}

export interface LockHolderView {
  type: 'beacon' | 'bridge' | 'unknown';
  mode: 'app' | 'headless' | null;
  pid: number;
  /** The holder's instance id from the lock record (one per executor process start); null when the record has none. */
  instanceId?: string | null;
  machineId: string | null;
  hostname: string | null;
  version: string | null;
  startedAt: string | null;
  alive: boolean;
  /** This process holds it. */
  self: boolean;
  /** How to stop this holder, in words a user can follow. */
  stopInstruction: string;
}

export interface FleetMachineView {
  id: string;
  name: string;
  hostname: string | null;
  workspaceId: string;
  status: string;
  lastSeenAt: string | null;
  /** Seconds since the last heartbeat (null when never seen). */
  heartbeatAgeSeconds: number | null;
  /** Silent for more than 3 heartbeats, whatever its status column says. */
  stale: boolean;
  self: boolean;
}

/** The default agent's health: the CLI found and its version, whether it is logged in, the login-shell resolution. */
export interface AgentHealthView {
  agent: string;
  /** The resolved CLI, its `--version` (null when not found or silent). */
  path: string | null;
  version: string | null;
  /** `claude auth status` (claude agents only): null when not known. */
  loggedIn: boolean | null;
  /** How it is logged in, or why that is unknown. */
  login: string | null;
  /** A problem to act on (agent not found, not logged in). */
  problem: string | null;
  /** How the login-shell environment was resolved: off, resolved (ms), timed_out (skipped), failed. */
  shell: { state: 'off' | 'resolved' | 'timed_out' | 'failed'; shell: string | null; ms: number | null };
  checkedAt: string;
}

/** How the executor is signed in to Mentu (the Supabase source), and what the key or session may reach. */
export interface AuthView {
  mode: 'service_role' | 'session';
  /** session: signed_in, signed_out, unreachable (renewal waits for the auth server), refused (sign in again); service_role: key. */
  state: 'signed_in' | 'signed_out' | 'unreachable' | 'refused' | 'key';
  /** The signed-in user (session mode). */
  user: { id: string | null; email: string | null } | null;
  /** The role the key or token acts as (service_role, anon, authenticated), when it says. */
  role: string | null;
  /** When the session's access token expires (ISO), renewed ahead of it. */
  expiresAt: string | null;
  /** The configured workspaces: member (or, with the service role, existing) true/false, null when not checked yet. */
  workspaces: { id: string; name: string | null; member: boolean | null }[];
  /** The bridge_machines row: registered at the last heartbeat (true), refused (false), not tried yet (null). */
  machineRegistered: boolean | null;
  machineProblem: string | null;
  /** What to fix first, in words ("not a member of workspace …", "key has role anon, not service_role", "session expired: sign in again"). */
  problem: string | null;
}

/** A workspace the signed-in user belongs to (the choice after a sign-in). */
export interface WorkspaceChoice {
  id: string;
  name: string | null;
  role: string | null;
  /** Already in supabase.workspace_ids. */
  selected: boolean;
}

/** Where a sign-in stands: started (open `url` in a browser), then signed in or failed. */
export interface SignInView {
  state: 'idle' | 'waiting' | 'signed_in' | 'failed';
  /** The authorize URL to open (while waiting). */
  url: string | null;
  /** The shell opened the URL in the system browser itself. */
  opened: boolean;
  email: string | null;
  error: string | null;
}

export interface BeaconSnapshot {
  machineId: string;
  machineName: string;
  hostname: string;
  version: string;
  mode: 'app' | 'headless';
  /** active: holds the lock and claims; standby: another executor holds the lock. */
  role: 'active' | 'standby' | 'starting' | 'stopping';
  paused: boolean;
  source: {
    kind: 'local' | 'supabase';
    connection: ConnectionStateName;
    detail: string | null;
    pendingWrites: number;
    /** Supabase only: the auth mode, who is signed in and what that reaches (optional: older cores omit it). */
    auth?: AuthView | null;
  };
  lockHolders: LockHolderView[];
  /** Running first, then recent (newest first). */
  commands: CommandView[];
  maxConcurrent: number;
  configPath: string;
  logsDir: string;
  /** A problem the user must act on (invalid config, agent not found), or null. */
  problem: string | null;
  /**
   * Settings changed in beacon.yaml whose new values wait for a restart (e.g. `command_source`,
   * `supabase.url`); the executor keeps running with the old ones. Optional: older cores omit it.
   */
  restartNeeded?: string[];
  /** The last edit of beacon.yaml that could not be applied, with its line and column; the running configuration stays. */
  configError?: string | null;
  fleet: FleetMachineView[];
  /** The default agent's health (optional: null until the first check, absent from older cores). */
  agentHealth?: AgentHealthView | null;
  /**
   * Permission requests of running commands (pending first: a person's answer is awaited) and those settled
   * lately. Optional: older cores omit it.
   */
  permissionRequests?: PermissionRequestView[];
  /** What the owner must know about the permission policy: an agent that is asked nothing (bypassPermissions), a sandbox that cannot run. */
  permissionWarnings?: string[];
  /**
   * Rows the listing left out because they cannot be read as commands (a status Beacon does not know, an
   * id that is not text), with why; the rest are listed (optional: older cores omit it).
   */
  skippedCommands?: { id: string | null; reason: string }[];
}

export interface SettingsView {
  configPath: string;
  commandSource: 'local' | 'supabase';
  supabaseUrl: string | null;
  workspaceIds: string[];
  /** Whether a key is stored; the key itself is never sent to a UI. */
  supabaseKeyStored: boolean;
  /** supabase.auth as configured (optional: older cores omit it), and what it means on this machine. */
  auth?: 'auto' | 'session' | 'service_role';
  effectiveAuth?: 'session' | 'service_role';
  /** The project's anon (publishable) key: public, so it is shown. */
  anonKey?: string | null;
  allowedDirectories: string[];
  defaultTimeoutSeconds: number;
  maxConcurrent: number;
  agentName: string;
  agentCommand: string;
  /** Resolved absolute path of the agent and its `--version` output, or why not found. */
  agentResolvedPath: string | null;
  agentVersion: string | null;
  agentProblem: string | null;
  launchAtLogin: LaunchAtLoginView;
}

/** The login item as the shell reads it (src-main/electron/login-item.ts); elsewhere unsupported. */
export interface LaunchAtLoginView {
  supported: boolean;
  enabled: boolean;
  /** macOS 13+: enabled, requires-approval, not-registered, not-found. */
  status: string | null;
  /** What the user should know or do (approval pending, app outside /Applications), or null. */
  detail?: string | null;
  offerLoginItemsSettings?: boolean;
  offerMoveToApplications?: boolean;
}

export interface SettingsPatch {
  commandSource?: 'local' | 'supabase';
  supabaseUrl?: string | null;
  workspaceIds?: string[];
  /** Write-only: stored in the secret store, never echoed back. */
  supabaseKey?: string;
  auth?: 'auto' | 'session' | 'service_role';
  anonKey?: string | null;
  allowedDirectories?: string[];
  defaultTimeoutSeconds?: number;
  maxConcurrent?: number;
  agentCommand?: string;
  launchAtLogin?: boolean;
}

/** A new command from a UI (the New command form); the core applies the same up-front checks as `beacon enqueue`. */
export interface EnqueueRequest {
  prompt: string;
  /** An absolute path; it must be inside execution.allowed_directories when this machine is to run it. */
  workingDirectory: string;
  /** Default: execution.default_agent. */
  agent?: string | null;
  /** Default: execution.default_timeout_seconds. */
  timeoutSeconds?: number | null;
  /** Only this machine may run it (Supabase); null: any machine of the workspace. */
  targetMachineId?: string | null;
}

export interface EnqueueResult {
  ok: boolean;
  /** "Queued …", or why nothing was queued. */
  message: string;
  commandId?: string;
}

/** What the New command form offers to choose from. */
export interface EnqueueOptions {
  sourceKind: 'local' | 'supabase';
  /** execution.allowed_directories as absolute paths (`~` expanded), in the config's order. */
  allowedDirectories: string[];
  /** Directories of recent commands that are still allowed here, most recent first. */
  recentDirectories: string[];
  agents: string[];
  defaultAgent: string;
  defaultTimeoutSeconds: number;
  /** This machine's id (a command may target it). */
  machineId: string;
  /** Other machines a command may be targeted at: the fleet when Supabase is on, else empty. */
  machines: { id: string; name: string; self: boolean }[];
}

export interface OutputSlice {
  commandId: string;
  /** Byte offset of `data` in the log. */
  offset: number;
  /** Offset to ask for next. */
  nextOffset: number;
  /** Text decoded from the log bytes in [offset, nextOffset). */
  data: string;
  /** True when the command is finished and nothing more will come. */
  complete: boolean;
}

export type BeaconEvent =
  | { type: 'snapshot'; snapshot: BeaconSnapshot }
  | {
      type: 'output';
      commandId: string;
      /** Increases by one per chunk of one command, so a UI can notice a gap and replay from the log. */
      seq: number;
      /** Log byte offset just after this chunk. */
      offset: number;
      data: string;
    }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string; commandId?: string };

/** Every action a UI can ask for. Each transport validates arguments before calling these. */
export interface BeaconActions {
  getSnapshot(): Promise<BeaconSnapshot>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(commandId: string): Promise<{ ok: boolean; message: string }>;
  requeue(commandId: string): Promise<{ ok: boolean; message: string; newCommandId?: string }>;
  /**
   * Continue a finished command's agent session with a new prompt (`--resume <session id>`, same real directory,
   * same machine). Optional: a Beacon that does not offer it leaves it out.
   */
  followUp?(commandId: string, prompt: string): Promise<{ ok: boolean; message: string; newCommandId?: string }>;
  readOutput(commandId: string, offset: number, maxBytes?: number): Promise<OutputSlice>;
  getSettings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  /**
   * A person's decision on a command awaiting approval (`beacon approve|reject`): sets approval_status and
   * wakes the waiting executor. Optional: UIs that do not offer it need not implement it.
   */
  decideApproval?(commandId: string, decision: 'approved' | 'rejected'): Promise<{ ok: boolean; message: string }>;
  /** Queue a command with `beacon enqueue`'s up-front checks (a refusal is `ok: false`, nothing queued). Optional: older cores lack it. */
  enqueue?(request: EnqueueRequest): Promise<EnqueueResult>;
  /** The choices of the New command form. Optional: older cores lack it. */
  getEnqueueOptions?(): Promise<EnqueueOptions>;
  /** The whole prompt and error of a command, which views carry only in part (optional: older cores omit it). */
  readCommandText?(commandId: string): Promise<CommandText>;
  /**
   * Sign in to Mentu as yourself: starts the browser sign-in (the shell opens the URL in the system browser
   * when it can; `opened` says whether it did) and returns at once; getSignIn tells how it went.
   */
  startSignIn?(): Promise<SignInView>;
  getSignIn?(): Promise<SignInView>;
  /** The signed-in user's workspaces, marked when configured (choose them with updateSettings({workspaceIds})). */
  listWorkspaces?(): Promise<WorkspaceChoice[]>;
  /** Forget the session here (and in ~/.mentu/credentials when shared) and end it on the server. */
  signOut?(): Promise<void>;
  /**
   * A person's answer to a live permission request (allow once, allow this tool for the rest of the command, or
   * deny with words for the model). The first answer from any surface wins; a later one is told who answered.
   * `context` is added by the transport (never sent by a client): which surface the answer came through.
   */
  answerPermission?(requestId: string, answer: PermissionAnswerInput, context?: ActionContext): Promise<PermissionAnswerResult>;
}

/** What a transport knows about a call and adds to the actions that record it (the surface of an answer). */
export interface ActionContext {
  surface: PermissionSurface;
}

export interface PermissionAnswerResult {
  ok: boolean;
  message: string;
  request?: PermissionRequestView;
}

/** What a UI holds: the actions plus a subscription to events. */
export interface BeaconClient extends BeaconActions {
  subscribe(listener: (event: BeaconEvent) => void): () => void;
}

/** Names of the actions, for transports that dispatch by name (IPC channels, WebSocket messages). */
export const BEACON_ACTION_NAMES = [
  'getSnapshot',
  'pause',
  'resume',
  'cancel',
  'requeue',
  'readOutput',
  'getSettings',
  'updateSettings',
  'decideApproval',
  'followUp',
  'answerPermission',
  'startSignIn',
  'getSignIn',
  'listWorkspaces',
  'signOut',
  'readCommandText',
  'enqueue',
  'getEnqueueOptions',
] as const satisfies readonly (keyof BeaconActions)[];
export type BeaconActionName = (typeof BEACON_ACTION_NAMES)[number];

/**
 * What the Electron preload exposes on `window.beaconIpc` (contextBridge). The renderer wraps it
 * into a BeaconClient; the dashboard's WebSocket transport produces the same BeaconClient.
 */
export interface BeaconIpcApi {
  invoke(action: BeaconActionName, args: unknown[]): Promise<unknown>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: BeaconEvent) => void): () => void;
  /** Shell-only actions (tray window): detach into a normal window, open the logs folder. */
  shell?: {
    detachWindow(): Promise<void>;
    openLogsFolder(): Promise<void>;
    /** macOS: System Settings → General → Login Items, where launch at login is approved. */
    openLoginItemsSettings?(): Promise<void>;
    /** macOS: move the app to /Applications (it relaunches from there). */
    moveToApplications?(): Promise<void>;
    /** The shell asks the window to show one command (a notification was clicked). Returns an unsubscribe function. */
    onOpenCommand?(listener: (commandId: string) => void): () => void;
  };
}

/**
 * Actions that change what Beacon is allowed to do or decide for a person: never reachable from an agent
 * (docs/reliability.md, "what an agent can reach"). On the control socket they need the control key and a
 * caller outside every agent's process tree.
 */
export const PRIVILEGED_ACTIONS: readonly BeaconActionName[] = ['updateSettings', 'decideApproval', 'answerPermission', 'startSignIn', 'signOut'];

/** Wire messages of the dashboard WebSocket (JSON text frames); the control socket adds `credential`. */
export type DashboardClientMessage = { kind: 'call'; id: number; action: BeaconActionName; args: unknown[]; credential?: string };
export type DashboardServerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string }
  | { kind: 'event'; event: BeaconEvent };
