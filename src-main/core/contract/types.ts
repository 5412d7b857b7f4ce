/**
 * The Beacon API: the one contract between the core and any UI (the Electron tray window over IPC,
 * the headless dashboard over a local WebSocket, the CLI over the control socket).
 * This file is types only, so the renderer can import it without pulling in Node code.
 */

import type { CommandStatus } from './command.js';
import type { RunSummary } from './run-summary.js';

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
}

export interface SettingsView {
  configPath: string;
  commandSource: 'local' | 'supabase';
  supabaseUrl: string | null;
  workspaceIds: string[];
  /** Whether a key is stored; the key itself is never sent to a UI. */
  supabaseKeyStored: boolean;
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

/** Wire messages of the dashboard WebSocket (JSON text frames). */
export type DashboardClientMessage = { kind: 'call'; id: number; action: BeaconActionName; args: unknown[] };
export type DashboardServerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string }
  | { kind: 'event'; event: BeaconEvent };
