import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isTerminal } from '../commands/command.js';
import { type Command } from '../contract/command.js';
import type { CommandList } from '../commands/source.js';
import { loadConfig, updateConfig, type LoadedConfig } from '../config/load.js';
import { anonKeyOf, effectiveAuth, effectiveSource } from '../config/schema.js';
import type { Executor } from '../executor.js';
import { planFollowUp } from '../commands/follow-up.js';
import { probeAgentVersion } from '../executor/agent-probe.js';
import type { ExecutorRole } from '../executor/types.js';
import { VERSION } from '../identity.js';
import { readLockHolders } from '../lock/executor-lock.js';
import type { MentuPaths } from '../paths.js';
import { resolveDefaultAgent } from '../run/agents.js';
import { loginShellEnvironment } from '../run/shell-env.js';
import type { SecretStore } from '../secrets.js';
import { createEnqueueActions } from './enqueue.js';
import { readLogSlice } from './read-output.js';
import { boundedNotice, boundedSummary, boundedText, withinBudget } from './view-bounds.js';
import { configChanges } from './settings-changes.js';
import { createSignInActions } from './sign-in-actions.js';
import {
  VIEW_TEXT_CHARS,
  type BeaconClient,
  type BeaconEvent,
  type BeaconSnapshot,
  type CommandView,
  type LaunchAtLoginView,
  type OutputSlice,
  type SettingsPatch,
  type SettingsView,
} from '../contract/types.js';

/**
 * The BeaconClient over a local executor: what the Electron IPC handlers, the dashboard and the
 * control socket all serve. Snapshots are coalesced (a burst of changes is one event).
 */
export interface LaunchAtLogin {
  /** Read when asked (settings opened), not per snapshot. */
  get(): LaunchAtLoginView;
  set(enabled: boolean): Promise<void> | void;
}

export interface BeaconClientOptions {
  executor: Executor;
  paths: MentuPaths;
  env?: NodeJS.ProcessEnv;
  secrets: SecretStore;
  /** Supplied by the Electron shell; elsewhere launch at login is reported unsupported. */
  launchAtLogin?: LaunchAtLogin;
  /** Opens a URL in the system browser (the Electron shell, for the sign-in). */
  openExternal?: (url: string) => Promise<void>;
  /** Coalescing window of snapshot events (default 50 ms). */
  snapshotCoalesceMs?: number;
  /** Commands in a snapshot (default 100). */
  recentLimit?: number;
}

export interface LocalBeaconClient extends BeaconClient {
  /** Detach from the executor's events. */
  dispose(): void;
}

const DEFAULT_READ_BYTES = 256 * 1024;

export function createBeaconClient(options: BeaconClientOptions): LocalBeaconClient {
  const { executor, paths, secrets } = options;
  const env = options.env ?? process.env;
  const listeners = new Set<(event: BeaconEvent) => void>();
  let snapshotTimer: NodeJS.Timeout | null = null;
  let building = false;
  let rebuild = false;

  const emit = (event: BeaconEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // one broken listener must not starve the others
      }
    }
  };

  const outputBytes = (id: string): number => {
    try {
      return statSync(paths.commandLog(id)).size;
    } catch {
      return 0;
    }
  };

  const toView = (command: Command, running: ReturnType<Executor['snapshot']>['running']): CommandView => {
    const live = running.find((r) => r.id === command.id);
    return {
      id: command.id,
      status: command.status,
      ...boundedText(command.prompt, command.errorMessage),
      workingDirectory: command.workingDirectory,
      agent: command.agent,
      targetMachineId: command.targetMachineId,
      workspaceId: command.workspaceId,
      commitmentId: command.commitmentId,
      createdAt: command.createdAt,
      claimedAt: command.claimedAt,
      startedAt: command.startedAt,
      completedAt: command.completedAt,
      exitCode: command.exitCode,
      summary: boundedSummary(live?.summary ?? command.summary),
      outputBytes: outputBytes(command.id),
      approvalRequired: command.approvalRequired,
      onApprove: command.onApprove,
    };
  };

  // One snapshot is built at a time, and everyone asking meanwhile shares it: 300 calls at once cost one
  // build, not 300 listings held in memory together (issue 15, point 4).
  let inFlight: Promise<BeaconSnapshot> | null = null;
  const getSnapshot = (): Promise<BeaconSnapshot> => (inFlight ??= buildSnapshot().finally(() => (inFlight = null)));

  const buildSnapshot = async (): Promise<BeaconSnapshot> => {
    const state = executor.snapshot();
    const source = executor.source();
    let commands: CommandList = [];
    let problem = state.problem;
    try {
      commands = source ? await source.list({ limit: options.recentLimit ?? 100, textLimit: VIEW_TEXT_CHARS }) : [];
    } catch (error) {
      problem ??= `Could not list commands: ${error instanceof Error ? error.message : String(error)}`;
    }
    const lockHolders = await readLockHolders(paths).catch(() => (state.standbyHolder ? [state.standbyHolder] : []));
    return {
      machineId: state.machineId ?? '',
      machineName: state.machineName ?? '',
      hostname: state.hostname,
      version: VERSION,
      mode: state.mode,
      role: snapshotRole(state.role),
      paused: state.paused,
      source: state.source ?? { kind: source?.kind ?? 'local', connection: 'offline', detail: null, pendingWrites: 0 },
      lockHolders,
      commands: withinBudget(commands.map((command) => toView(command, state.running))),
      maxConcurrent: state.maxConcurrent,
      configPath: state.configPath,
      logsDir: state.logsDir,
      problem,
      restartNeeded: state.restartNeeded,
      configError: state.configError,
      fleet: state.fleet,
      agentHealth: state.agentHealth ?? null,
      permissionRequests: state.permissionRequests,
      permissionWarnings: state.permissionWarnings,
      skippedCommands: commands.skipped ?? [],
    };
  };

  const publishSnapshot = (): void => {
    snapshotTimer = null;
    if (building) {
      rebuild = true;
      return;
    }
    building = true;
    getSnapshot()
      .then((snapshot) => emit({ type: 'snapshot', snapshot }))
      .catch(() => {})
      .finally(() => {
        building = false;
        if (rebuild) {
          rebuild = false;
          scheduleSnapshot();
        }
      });
  };
  const scheduleSnapshot = (): void => {
    if (!snapshotTimer && listeners.size) snapshotTimer = setTimeout(publishSnapshot, options.snapshotCoalesceMs ?? 50);
  };
  const onChange = (): void => scheduleSnapshot();
  const onOutput = (event: { commandId: string; seq: number; offset: number; data: string }): void =>
    emit({ type: 'output', commandId: event.commandId, seq: event.seq, offset: event.offset, data: event.data });
  const onNotice = (event: { level: 'info' | 'warning' | 'error'; message: string; commandId?: string }): void =>
    emit(boundedNotice({ type: 'notice', ...event }));

  /** What the file says (the Settings panel edits the file; values waiting for a restart show as saved), else what runs. */
  const currentConfig = async (): Promise<LoadedConfig> => {
    if (existsSync(paths.config)) {
      const fromFile = await loadConfig(paths, env).catch(() => null);
      if (fromFile) return fromFile;
    }
    return executor.config() ?? loadConfig(paths, env);
  };

  const getSettings = async (): Promise<SettingsView> => {
    const loaded = await currentConfig();
    const config = loaded.config;
    const agentEnv = await loginShellEnvironment(env);
    const agent = resolveDefaultAgent(loaded, agentEnv);
    const probe = agent.ok ? await probeAgentVersion(agent.path, agentEnv) : null;
    const agentProblem = !agent.ok ? agent.reason : probe && !probe.ok ? probe.reason : null;
    return {
      configPath: loaded.path,
      commandSource: effectiveSource(config),
      supabaseUrl: config.supabase.url,
      workspaceIds: config.supabase.workspace_ids,
      supabaseKeyStored: !!(await secrets.get('supabase_key').catch(() => null)),
      auth: config.supabase.auth,
      effectiveAuth: effectiveAuth(config),
      anonKey: anonKeyOf(config, env),
      allowedDirectories: config.execution.allowed_directories,
      defaultTimeoutSeconds: config.execution.default_timeout_seconds,
      maxConcurrent: config.execution.max_concurrent,
      agentName: agent.name,
      agentCommand: agent.profile?.command ?? '',
      agentResolvedPath: agent.ok ? agent.path : null,
      agentVersion: probe?.ok ? probe.version : null,
      agentProblem,
      launchAtLogin: options.launchAtLogin?.get() ?? { supported: false, enabled: false, status: null },
    };
  };

  const updateSettings = async (patch: SettingsPatch): Promise<SettingsView> => {
    const loaded = await currentConfig();
    const changes = configChanges(patch, loaded);
    if (patch.supabaseKey !== undefined) await secrets.set('supabase_key', patch.supabaseKey);
    if (patch.launchAtLogin !== undefined) await options.launchAtLogin?.set(patch.launchAtLogin);
    if (changes.length) {
      const update = executor.applyConfig(await updateConfig(paths, changes));
      if (update.restartNeeded.length) {
        emit({ type: 'notice', level: 'info', message: `Saved. Restart Beacon to use the new ${update.restartNeeded.join(', ')}.` });
      }
    }
    scheduleSnapshot();
    return getSettings();
  };

  const signIn = createSignInActions({
    currentConfig, paths, env, secrets, openExternal: options.openExternal,
    changed: (next, notice) => {
      if (next) executor.applyConfig(next);
      if (notice) emit({ type: 'notice', level: 'info', message: notice });
      scheduleSnapshot();
    },
  });

  const queueing = createEnqueueActions(executor, env);

  return {
    getSnapshot,
    startSignIn: signIn.startSignIn,
    getSignIn: signIn.getSignIn,
    listWorkspaces: signIn.listWorkspaces,
    signOut: signIn.signOut,
    enqueue: async (request) => {
      const result = await queueing.enqueue(request);
      scheduleSnapshot();
      return result;
    },
    getEnqueueOptions: queueing.getEnqueueOptions,
    pause: async () => executor.pause(),
    resume: async () => executor.resume(),
    cancel: (commandId) => executor.cancel(commandId),
    decideApproval: async (commandId, decision) => {
      const result = await executor.decideApproval(commandId, decision);
      scheduleSnapshot();
      return result;
    },
    answerPermission: async (requestId, answer, context) => {
      if (!context) return { ok: false, message: 'An answer needs to come through one of the surfaces' };
      const result = await executor.answerPermission(requestId, answer, { via: context.surface, by: localPerson() });
      scheduleSnapshot();
      return result;
    },
    requeue: async (commandId) => {
      const source = executor.source();
      if (!source) return { ok: false, message: 'The executor has no command source yet' };
      const command = await source.get(commandId);
      if (!command) return { ok: false, message: `No command ${commandId}` };
      if (!isTerminal(command.status)) return { ok: false, message: `Command ${commandId} is still ${command.status}; only a finished command can be re-queued` };
      const copy = await source.enqueue({
        prompt: command.prompt,
        workingDirectory: command.workingDirectory,
        agent: command.agent,
        flags: command.flags,
        timeoutSeconds: command.timeoutSeconds,
        targetMachineId: command.targetMachineId,
        workspaceId: command.workspaceId,
        commandType: command.commandType,
        commitmentId: command.commitmentId,
        withWorktree: command.withWorktree,
        approvalRequired: command.approvalRequired,
        onApprove: command.onApprove,
      });
      scheduleSnapshot();
      return { ok: true, message: `Re-queued ${commandId} as ${copy.id}`, newCommandId: copy.id };
    },
    followUp: async (commandId, prompt) => {
      const source = executor.source();
      if (!source) return { ok: false, message: 'The executor has no command source yet' };
      if (!prompt.trim()) return { ok: false, message: 'The prompt is empty (only whitespace): there is nothing for the agent to do' };
      const original = await source.get(commandId);
      if (!original) return { ok: false, message: `No command ${commandId}` };
      const loaded = await currentConfig();
      const plan = planFollowUp(original, prompt, { machineId: loaded.machineId, sourceKind: source.kind });
      if (!plan.ok) return { ok: false, message: plan.reason };
      const created = await source.enqueue(plan.command);
      scheduleSnapshot();
      return { ok: true, message: `Follow-up of ${commandId} queued as ${created.id}`, newCommandId: created.id };
    },
    readOutput: async (commandId, offset, maxBytes = DEFAULT_READ_BYTES): Promise<OutputSlice> => {
      const command = await executor.source()?.get(commandId);
      if (!command) throw new Error(`No command ${commandId}`);
      const finished = isTerminal(command.status);
      const slice = readLogSlice(paths.commandLog(commandId), offset, maxBytes, finished);
      return { commandId, offset: slice.offset, nextOffset: slice.nextOffset, data: slice.data, complete: finished && slice.nextOffset >= slice.size };
    },
    readCommandText: async (commandId) => {
      const command = await executor.source()?.get(commandId);
      if (!command) throw new Error(`No command ${commandId}`);
      return { commandId, prompt: command.prompt, errorMessage: command.errorMessage };
    },
    getSettings,
    updateSettings,
    subscribe: (listener) => {
      if (listeners.size === 0) {
        executor.events.on('change', onChange);
        executor.events.on('output', onOutput);
        executor.events.on('notice', onNotice);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) detach();
      };
    },
    dispose: () => {
      signIn.dispose();
      listeners.clear();
      detach();
    },
  };

  function detach(): void {
    executor.events.off('change', onChange);
    executor.events.off('output', onOutput);
    executor.events.off('notice', onNotice);
    if (snapshotTimer) clearTimeout(snapshotTimer);
    snapshotTimer = null;
  }
}

/** Who answers on this machine's own surfaces: the account Beacon runs as (the surfaces are the owner's alone). */
function localPerson(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

function snapshotRole(role: ExecutorRole): BeaconSnapshot['role'] {
  if (role === 'idle' || role === 'starting') return 'starting';
  if (role === 'stopping' || role === 'stopped') return 'stopping';
  return role;
}
