import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { createCommandSource } from './commands/create-source.js';
import type { Command } from './contract/command.js';
import type { CommandSource, SourceEvents, SourceStatus } from './commands/source.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { effectiveSource } from './config/schema.js';
import { createExecutorApprovals, type ExecutorApprovals } from './approvals/executor-approvals.js';
import { createClaimLoop } from './executor/claim-loop.js';
import { startFleetRefresh, type FleetRefresh } from './executor/fleet-refresh.js';
import { createGracePeriod } from './executor/grace.js';
import { startHeartbeat, type Heartbeat } from './executor/heartbeat.js';
import { createOutputBatcher } from './executor/output-batcher.js';
import { readPaused, writePaused } from './executor/pause-state.js';
import { createPreClaimCheck, type PlanContext } from './executor/pre-claim.js';
import { recoverOrphans } from './executor/orphans.js';
import { CANCELLED_BY_USER, cancelEntry, EXECUTOR_SHUTDOWN, runCommand, type RunningEntry } from './executor/run-command.js';
import { setApproval, type ApprovalDecision } from './approvals/decide.js';
import { takeExecutorLock } from './executor/take-lock.js';
import {
  ROLE_TRANSITIONS,
  type ExecutorEventMap,
  type ExecutorOptions,
  type ExecutorRole,
  type ExecutorSnapshot,
  type StopOptions,
} from './executor/types.js';
import type { LockHolderView } from './contract/types.js';
import { currentHostname } from './identity.js';
import type { HeldExecutorLock } from './lock/executor-lock.js';
import { resolveAgentCommand } from './run/agents.js';
import { createPtyRunner } from './run/pty-runner.js';
import { loginShellEnvironment } from './run/shell-env.js';
import { ledgerClientFromConfig, type LedgerClient } from './ledger.js';
import { createHeadlessSecretStore } from './secrets.js';

export type { ExecutorOptions, ExecutorSnapshot, ExecutorRole, StopOptions } from './executor/types.js';

/**
 * The conductor: lock → source → claim loop → run → report, with pause, cancellation, heartbeat and a
 * graceful stop. The shells (Electron main, `beacon run`) create one and drive it; UIs watch its events.
 */
export interface Executor {
  start(): Promise<void>;
  stop(options: StopOptions): Promise<void>;
  pause(): void;
  resume(): void;
  cancel(commandId: string): Promise<{ ok: boolean; message: string }>;
  /** A person's decision on a command awaiting approval; the waiting gate re-reads at once. */
  decideApproval(commandId: string, decision: ApprovalDecision): Promise<{ ok: boolean; message: string }>;
  /** After wake from sleep or a network change: rejoin the source and look for work. */
  resubscribe(): void;
  /** Use an updated config (after a settings change) for later claims. A source change needs a restart. */
  applyConfig(loaded: LoadedConfig): void;
  snapshot(): ExecutorSnapshot;
  /** The command source once start() created it (for listing and enqueueing from the API). */
  source(): CommandSource | null;
  config(): LoadedConfig | null;
  readonly events: EventEmitter<ExecutorEventMap>;
}

export function createExecutor(options: ExecutorOptions): Executor {
  const { paths, logger, mode } = options;
  const env = options.env ?? process.env;
  const now = options.clock ?? (() => new Date());
  const runner = options.runner ?? createPtyRunner();
  const events = new EventEmitter<ExecutorEventMap>();
  const running = new Map<string, RunningEntry>();
  const runs = new Set<Promise<void>>();
  /** Every command id this executor ever took: filled before any await (mentu-compat §11.1). */
  const handled = new Set<string>();

  let role: ExecutorRole = 'idle';
  let paused = readPaused(paths.state);
  let loaded: LoadedConfig | null = options.config ?? null;
  let agentEnv: Record<string, string> = {};
  let source: CommandSource | null = options.source ?? null;
  let sourceStatus: SourceStatus | null = null;
  let sourceStarted = false;
  let lock: HeldExecutorLock | null = null;
  let standbyHolder: LockHolderView | null = null;
  let problem: string | null = null;
  let heartbeat: Heartbeat | null = null;
  let ledger: LedgerClient | null = null;
  let cancelPoll: NodeJS.Timeout | null = null;
  let approvals: ExecutorApprovals | null = null;
  let fleet: FleetRefresh | null = null;
  let startPromise: Promise<void> | null = null;
  let stopPromise: Promise<void> | null = null;
  const grace = createGracePeriod();
  const standbyAbort = new AbortController();

  const changed = (commandId: string | null = null): void => {
    events.emit('change', commandId);
  };
  const setRole = (next: ExecutorRole): void => {
    if (!ROLE_TRANSITIONS[role].includes(next)) throw new Error(`Executor cannot go from ${role} to ${next}`);
    role = next;
    changed();
  };

  const planContext = (): PlanContext => {
    if (!loaded || !source) throw new Error('The executor is not started');
    return {
      config: loaded.config,
      configPath: loaded.path,
      machineId: loaded.machineId,
      sourceKind: source.kind,
      agentEnv,
      homeDir: env.HOME || homedir(),
    };
  };

  const output = createOutputBatcher(
    options.outputBatchMs ?? 16,
    (event) => events.emit('output', event),
    () => events.listenerCount('output') > 0,
  );
  const refused = new Set<string>();
  const preClaim = createPreClaimCheck(planContext, (id) => handled.has(id));
  const check: typeof preClaim = (command) => {
    const decision = preClaim(command);
    if (!decision.ok && decision.claimAndFail && !refused.has(command.id)) {
      refused.add(command.id);
      logger.warn(`refusing ${command.id} (failed, never spawned): ${decision.reason}`);
    }
    return decision;
  };
  const secrets = options.secrets ?? createHeadlessSecretStore(paths, env);
  const lifecycle = {
    runner, logger, now, env, plan: planContext, ledger: () => ledger, approvals: () => approvals, output, running, changed,
    slotFreed: () => claimLoop.wake('capacity freed'),
  };

  const handle = (command: Command): boolean => {
    if (handled.has(command.id)) {
      logger.warn(`${command.id} was handed to the executor twice; ignoring the second time`);
      return false;
    }
    handled.add(command.id);
    logger.info(`claimed ${command.id} (agent ${command.agent}, cwd ${command.workingDirectory})`);
    const run: Promise<void> = runCommand({ ...lifecycle, source: source! }, command).finally(() => {
      runs.delete(run);
      claimLoop.wake('capacity freed');
    });
    runs.add(run);
    return true;
  };

  const claimLoop = createClaimLoop({
    canClaim: () => role === 'active' && !paused && !!loaded && running.size < loaded.config.execution.max_concurrent,
    claimNext: () => source!.claimNext(check),
    handle,
    logger,
  });

  const sourceEvents: SourceEvents = {
    onWake: (reason) => {
      changed();
      claimLoop.wake(reason);
    },
    onCancelled: (id) => {
      const entry = running.get(id);
      if (entry) cancelEntry(entry, CANCELLED_BY_USER, logger);
    },
    onCommandChanged: (id) => {
      approvals?.wake(id);
      changed(id);
    },
    onStatus: (status) => {
      sourceStatus = status;
      changed();
    },
  };

  const configProblem = (config: LoadedConfig): string | null => {
    const name = config.config.execution.default_agent;
    const profile = config.config.agents[name];
    if (!profile) return `The default agent "${name}" is not defined under agents in ${config.path}`;
    const resolved = resolveAgentCommand(profile, agentEnv);
    return resolved.ok ? null : `Agent "${name}" cannot run: ${resolved.reason}`;
  };

  const pollCancellations = (): void => {
    for (const [id, entry] of running) {
      if (!entry.process || entry.cancelReason) continue;
      source
        ?.isCancelled(id)
        .then((cancelled) => {
          if (cancelled) cancelEntry(entry, CANCELLED_BY_USER, logger);
        })
        .catch((error: unknown) => logger.debug(`could not check whether ${id} was cancelled`, { error }));
    }
  };

  const doStart = async (): Promise<void> => {
    let createdSource = false;
    try {
      loaded ??= await loadConfig(paths, env);
      const config = loaded.config;
      agentEnv = await loginShellEnvironment(env);
      problem = configProblem(loaded);
      if (problem) logger.warn(problem);
      if (!source) {
        source = await createCommandSource({ loaded, paths, env, secrets, logger });
        createdSource = true;
      }
      const machineId = loaded.machineId;
      lock = await takeExecutorLock({
        paths, mode, machineId, logger, retryMs: options.lockRetryMs ?? 2000, signal: standbyAbort.signal,
        onStandby: (holder) => {
          standbyHolder = holder;
          if (role === 'starting') setRole('standby');
          else changed();
        },
      });
      standbyHolder = null;
      if (role === 'stopping') return; // stop() arrived while we waited; it releases the lock
      await recoverOrphans(source, logger);
      ledger = await ledgerClientFromConfig(config, secrets, { machineName: loaded.machineName, logger });
      approvals = createExecutorApprovals({
        source,
        approvalsFile: paths.approvals,
        agentEnv: () => agentEnv,
        ledger: () => ledger,
        onApproveTimeoutMs: config.execution.default_timeout_seconds * 1000,
        maxOutputBytes: config.execution.max_output_bytes,
        logger,
        changed,
        pollIntervalMs: options.approvalPollMs,
      });
      // Waits a previous process left (the approval may have been given while Beacon was stopped).
      await approvals.resume();
      paused = readPaused(paths.state);
      setRole('active');
      await source.start({ machineId, agents: Object.keys(config.agents), workspaceIds: config.supabase.workspace_ids }, sourceEvents);
      sourceStarted = true;
      sourceStatus = source.status();
      heartbeat = startHeartbeat(source, config.supabase.heartbeat_seconds * 1000, () => ({ busy: running.size > 0, runningCommandIds: [...running.keys()] }), logger);
      heartbeat.beatNow();
      fleet = startFleetRefresh({
        source, paths, selfMachineId: machineId, heartbeatSeconds: config.supabase.heartbeat_seconds, now, logger, onChange: () => changed(),
      });
      void fleet.refreshNow();
      cancelPoll = setInterval(pollCancellations, options.cancelPollMs ?? 2000);
      cancelPoll.unref();
      logger.info(
        `ready: machine ${machineId}, ${effectiveSource(config)} source, max_concurrent ${config.execution.max_concurrent}${paused ? ', PAUSED (beacon resume to claim)' : ''}`,
      );
      claimLoop.wake('start');
    } catch (error) {
      if (role === 'stopping') return;
      problem = error instanceof Error ? error.message : String(error);
      await lock?.release().catch(() => {});
      lock = null;
      if (createdSource) await source?.stop().catch(() => {});
      if (createdSource) source = null;
      role = 'stopped';
      changed();
      throw error;
    }
  };

  const doStop = async ({ cancelRunning, graceMs }: StopOptions): Promise<void> => {
    setRole('stopping');
    standbyAbort.abort();
    claimLoop.dispose();
    await startPromise?.catch(() => {});
    await claimLoop.idle();
    if (runs.size) {
      logger.info(`stopping: ${runs.size} command(s) still running; waiting up to ${Math.round(graceMs / 1000)}s`);
      await grace.wait([...runs], graceMs);
    }
    if (runs.size && cancelRunning) {
      for (const entry of running.values()) cancelEntry(entry, EXECUTOR_SHUTDOWN, logger);
      await Promise.all([...runs]);
    }
    await approvals?.stop(graceMs); // waits end now (their records stay); a running on_approve gets the grace period
    fleet?.stop();
    heartbeat?.stop();
    if (cancelPoll) clearInterval(cancelPoll);
    output.dispose();
    if (source && (sourceStarted || !options.source)) await source.stop().catch((error: unknown) => logger.warn('stopping the source failed', { error }));
    await lock?.release();
    lock = null;
    logger.info('stopped');
    setRole('stopped');
  };

  return {
    events,
    start: () => {
      if (role !== 'idle') return Promise.reject(new Error('This executor was already started; create a new one'));
      setRole('starting');
      startPromise = doStart();
      return startPromise;
    },
    stop: (stopOptions) => {
      if (stopPromise) {
        grace.shorten(stopOptions.graceMs); // a second signal
        return stopPromise;
      }
      if (role === 'idle' || role === 'stopped') {
        role = 'stopped';
        return Promise.resolve();
      }
      stopPromise = doStop(stopOptions);
      return stopPromise;
    },
    pause: () => {
      paused = true;
      writePaused(paths.state, true);
      logger.info('paused: no new claims; running commands finish');
      changed();
    },
    resume: () => {
      paused = false;
      writePaused(paths.state, false);
      logger.info('resumed');
      changed();
      claimLoop.wake('resume');
    },
    cancel: async (commandId) => {
      if (!source) return { ok: false, message: 'The executor has no command source yet' };
      const entry = running.get(commandId);
      const cancelled = await source.requestCancel(commandId);
      if (entry) cancelEntry(entry, CANCELLED_BY_USER, logger);
      if (cancelled) approvals?.wake(commandId);
      if (entry) return { ok: true, message: `Cancelling ${commandId}: stopping the agent` };
      if (cancelled) return { ok: true, message: `Cancelled ${commandId}` };
      const command = await source.get(commandId);
      return { ok: false, message: command ? `Command ${commandId} is already ${command.status}` : `No command ${commandId}` };
    },
    decideApproval: async (commandId, decision) => {
      if (!source) return { ok: false, message: 'The executor has no command source yet' };
      const result = await setApproval(source, commandId, decision);
      if (result.ok) approvals?.wake(commandId);
      return result;
    },
    resubscribe: () => {
      if (role !== 'active' || !source) return;
      source.resubscribe?.();
      heartbeat?.beatNow();
      claimLoop.wake('resubscribe');
    },
    applyConfig: (next) => {
      loaded = next;
      problem = configProblem(next);
      changed();
      claimLoop.wake('config changed');
    },
    snapshot: () => ({
      mode,
      role,
      paused,
      machineId: loaded?.machineId ?? null,
      machineName: loaded?.machineName ?? null,
      hostname: currentHostname(env),
      configPath: loaded?.path ?? paths.config,
      logsDir: paths.logsDir,
      maxConcurrent: loaded?.config.execution.max_concurrent ?? 1,
      source: sourceStatus ?? source?.status() ?? null,
      standbyHolder,
      running: [...running.values()].map((entry) => ({
        id: entry.command.id,
        agent: entry.command.agent,
        workingDirectory: entry.command.workingDirectory,
        pid: entry.pid,
        startedAt: entry.startedAt,
        summary: entry.summary,
      })),
      problem,
      fleet: fleet?.current() ?? [],
      awaitingApproval: approvals?.waiting() ?? [],
    }),
    source: () => source,
    config: () => loaded,
  };
}
