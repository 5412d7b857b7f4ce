import type { RunSummary } from '../contract/run-summary.js';
import type { CommandSource, SourceStatus } from '../commands/source.js';
import type { LoadedConfig } from '../config/load.js';
import type { AgentHealthView, FleetMachineView, LockHolderView } from '../contract/types.js';
import type { PermissionRequestView } from '../contract/permission-request.js';
import type { Logger } from '../logger.js';
import type { MentuPaths } from '../paths.js';
import type { PermissionServerCommand } from '../run/permission-args.js';
import type { Runner } from '../run/runner.js';
import type { SecretStore } from '../secrets.js';

/** What the shells (Electron main, `beacon run`) hand to createExecutor. */
export interface ExecutorOptions {
  paths: MentuPaths;
  env?: NodeJS.ProcessEnv;
  /** app: waits in standby while another executor holds the lock; headless: fails with LockHeldError. */
  mode: 'app' | 'headless';
  logger: Logger;
  /** Default: the source the config asks for (create-source.ts). */
  source?: CommandSource;
  /** Default: the node-pty runner. */
  runner?: Runner;
  /** Default: the headless secret store (env variables, then the owner-only secrets file). */
  secrets?: SecretStore;
  /** Use this config instead of loading beacon.yaml (tests, or a shell that already loaded it). */
  config?: LoadedConfig;
  /** Follow edits of beacon.yaml while running (default: when the executor loaded the file itself, not given `config`). */
  watchConfig?: boolean;
  clock?: () => Date;
  /** Backstop poll of `isCancelled` for running commands (default 2000 ms). */
  cancelPollMs?: number;
  /** UI output batching window (default 16 ms). */
  outputBatchMs?: number;
  /** Standby retry interval while another executor holds the lock (default 2000 ms). */
  lockRetryMs?: number;
  /** How often a command awaiting approval is re-read without a change event (default 5000 ms). */
  approvalPollMs?: number;
  /**
   * How the agent's CLI starts Beacon's permission server (`beacon permission-server`, or the app itself); the
   * shell knows its own program. Unset: no permission server, and the CLI refuses what it would ask.
   */
  permissionServer?: PermissionServerCommand | null;
}

/**
 * The executor's own lifecycle. idle → starting → (standby →) active → stopping → stopped;
 * a start that fails goes starting → stopped.
 */
export type ExecutorRole = 'idle' | 'starting' | 'standby' | 'active' | 'stopping' | 'stopped';

export const ROLE_TRANSITIONS: Readonly<Record<ExecutorRole, readonly ExecutorRole[]>> = {
  idle: ['starting'],
  starting: ['standby', 'active', 'stopping', 'stopped'],
  standby: ['active', 'stopping', 'stopped'],
  active: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export interface RunningCommandView {
  id: string;
  agent: string;
  workingDirectory: string;
  pid: number | null;
  startedAt: string | null;
  summary: RunSummary | null;
}

export interface ExecutorSnapshot {
  mode: 'app' | 'headless';
  role: ExecutorRole;
  paused: boolean;
  machineId: string | null;
  machineName: string | null;
  hostname: string;
  configPath: string;
  logsDir: string;
  maxConcurrent: number;
  source: SourceStatus | null;
  /** Who holds the lock while we wait in standby (null otherwise). */
  standbyHolder: LockHolderView | null;
  running: RunningCommandView[];
  /** Something the user must act on (invalid config, agent not found, source not configured). */
  problem: string | null;
  /** Settings changed in beacon.yaml whose new values wait for a restart (config/live-settings.ts). */
  restartNeeded: string[];
  /** The last edit of beacon.yaml that could not be applied (with its line and column), or null. */
  configError: string | null;
  /** The executors of the configured workspaces plus the lock holder (refreshed every heartbeat period). */
  fleet: FleetMachineView[];
  /** Commands whose approval this process waits for (they hold no run slot). */
  awaitingApproval: string[];
  /** The default agent's health (found, version, logged in, login shell); null until the first check. */
  agentHealth?: AgentHealthView | null;
  /** Permission requests of running commands (pending and answered) and those settled lately. */
  permissionRequests: PermissionRequestView[];
  /** What the owner must know about the permission policy (bypassPermissions, a sandbox that cannot run). */
  permissionWarnings: string[];
}

export interface OutputEvent {
  commandId: string;
  /** 1, 2, 3… per command, so a UI can notice a gap and replay from the log. */
  seq: number;
  /** Byte offset in the log just after this chunk. */
  offset: number;
  data: string;
}

export interface NoticeEvent {
  level: 'info' | 'warning' | 'error';
  message: string;
  commandId?: string;
}

/** Events of the executor's emitter. 'change': something in the snapshot or the command list changed. */
export interface ExecutorEventMap {
  change: [commandId: string | null];
  output: [event: OutputEvent];
  notice: [event: NoticeEvent];
}

export interface StopOptions {
  /** After the grace period, cancel what still runs ("executor shutdown"); false leaves it to orphan recovery. */
  cancelRunning: boolean;
  /** How long running commands may finish on their own. A later stop() with a shorter grace shortens it. */
  graceMs: number;
  /** Recorded on the commands cancelled here (default "executor shutdown"), e.g. "machine shutting down". */
  cancelReason?: string;
}
