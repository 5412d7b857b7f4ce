import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import type { Command } from './contract/command.js';
import type { CommandSource, SourceStatus } from './commands/source.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { agentArgsNotes } from './run/agents.js';
import { startAgentHealth, type AgentHealthMonitor } from './executor/agent-health.js';
import { effectiveSource } from './config/schema.js';
import { createClaimLoop } from './executor/claim-loop.js';
import { createConfigUpdates, type ConfigUpdate } from './executor/config-updates.js';
import { createGracePeriod } from './executor/grace.js';
import { createOutputBatcher } from './executor/output-batcher.js';
import { readPaused, writePaused } from './executor/pause-state.js';
import { createPreClaimCheck, type PlanContext } from './executor/pre-claim.js';
import { CANCELLED_BY_USER, EXECUTOR_SHUTDOWN, runCommand, type RunningEntry } from './executor/run-command.js';
import { setApproval, type ApprovalDecision } from './approvals/decide.js';
import { openSession, type ExecutorSession } from './executor/session.js';
import type { AnswerResult } from './approvals/permission-requests.js';
import type { PermissionAnswerInput, PermissionSurface } from './contract/permission-request.js';
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
import { defaultAgentProblem } from './run/agents.js';
import { policyWarnings } from './run/permission-notes.js';
import { createPtyRunner } from './run/pty-runner.js';
import { loginShellEnvironment } from './run/shell-env.js';
import { createHeadlessSecretStore } from './secrets.js';

export type { ExecutorOptions, ExecutorSnapshot, ExecutorRole, StopOptions } from './executor/types.js';

/**
 * The conductor: lock → source → claim loop → run → report, with pause, cancellation, heartbeat and a
 * graceful stop. The shells (Electron main, `beacon run`) create one and drive it; UIs watch its events.
 */
export interface Executor {
  start(): Promise<void>;
  stop(options: StopOptions): Promise<void>;
  /**
   * No new claims; running commands finish. Persisted (the next start stays paused) unless `persist` is
   * false: the app's quit sequence holds claims in memory only, so a crash while quitting never leaves
   * the next launch paused.
   */
  pause(options?: { persist?: boolean }): void;
  resume(options?: { persist?: boolean }): void;
  cancel(commandId: string): Promise<{ ok: boolean; message: string }>;
  /** A person's decision on a command awaiting approval; the waiting gate re-reads at once. */
  decideApproval(commandId: string, decision: ApprovalDecision): Promise<{ ok: boolean; message: string }>;
  /** A person's answer to a live permission request, from one of the surfaces; the first answer wins. */
  answerPermission(requestId: string, answer: PermissionAnswerInput, who: { via: PermissionSurface; by: string | null }): Promise<AnswerResult>;
  /** After wake from sleep or a network change: rejoin the source and look for work. */
  resubscribe(): void;
  /**
   * Use an updated config (a settings change, or beacon.yaml edited) from the next claim on. Settings the
   * running executor was built from (the command source, the machine's identity…) keep their values and
   * are reported as waiting for a restart (config/live-settings.ts).
   */
  applyConfig(loaded: LoadedConfig): ConfigUpdate;
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
  const secrets = options.secrets ?? createHeadlessSecretStore(paths, env);
  const events = new EventEmitter<ExecutorEventMap>();
  const running = new Map<string, RunningEntry>();
  const runs = new Set<Promise<void>>();
  /** Every command id this executor ever took: filled before any await (docs/mentu-schema.md#bug-double-run). */
  const handled = new Set<string>();
  const refused = new Set<string>();
  const grace = createGracePeriod();
  const standbyAbort = new AbortController();

  // The executor's state: its role (a state machine), the config in use, and the session of this start.
  let role: ExecutorRole = 'idle';
  let paused = readPaused(paths.state);
  let loaded: LoadedConfig | null = options.config ?? null;
  let agentEnv: Record<string, string> = {};
  /** The login-shell probe has answered (nothing is claimed before: the agent's PATH comes from it). */
  let agentEnvReady = false;
  let session: ExecutorSession | null = null;
  let sourceStatus: SourceStatus | null = null;
  let standbyHolder: LockHolderView | null = null;
  let problem: string | null = null;
  let health: AgentHealthMonitor | null = null;
  let permissionWarnings: string[] = [];
  let startPromise: Promise<void> | null = null;
  const configUpdates = createConfigUpdates(logger);
  let stopPromise: Promise<void> | null = null;

  const changed = (commandId: string | null = null): void => {
    events.emit('change', commandId);
  };
  const setRole = (next: ExecutorRole): void => {
    if (!ROLE_TRANSITIONS[role].includes(next)) throw new Error(`Executor cannot go from ${role} to ${next}`);
    role = next;
    changed();
  };
  const currentSource = (): CommandSource | null => session?.source ?? options.source ?? null;

  const planContext = (): PlanContext => {
    const source = currentSource();
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
  const preClaim = createPreClaimCheck(planContext, (id) => handled.has(id));
  const check: typeof preClaim = (command) => {
    const decision = preClaim(command);
    if (!decision.ok && decision.claimAndFail && !refused.has(command.id)) {
      refused.add(command.id);
      logger.warn(`refusing ${command.id} (failed, never spawned): ${decision.reason}`);
    }
    return decision;
  };
  const runDeps = {
    runner, logger, now, paths, plan: planContext, ledger: () => session?.ledger ?? null, approvals: () => session?.approvals ?? null,
    permissions: () => session?.permissions ?? null, permissionServer: options.permissionServer ?? null,
    output, running, changed, slotFreed: () => claimLoop.wake('capacity freed'),
  };

  const handle = (command: Command): boolean => {
    if (handled.has(command.id)) {
      logger.warn(`${command.id} was handed to the executor twice; ignoring the second time`);
      return false;
    }
    handled.add(command.id);
    logger.info(`claimed ${command.id} (agent ${command.agent}, cwd ${command.workingDirectory})`);
    const run: Promise<void> = runCommand({ ...runDeps, source: session!.source }, command).finally(() => {
      runs.delete(run);
      claimLoop.wake('capacity freed');
    });
    runs.add(run);
    session!.cancellations.watchRunning();
    return true;
  };

  const claimLoop = createClaimLoop({
    canClaim: () => role === 'active' && agentEnvReady && !paused && !!loaded && running.size < loaded.config.execution.max_concurrent,
    claimNext: () => session!.source.claimNext(check),
    handle,
    logger,
  });

  const configProblem = (config: LoadedConfig): string | null => defaultAgentProblem(config, agentEnv);

  const doStart = async (): Promise<void> => {
    try {
      loaded ??= await loadConfig(paths, env);
      configUpdates.started(loaded);
      const config = loaded.config;
      for (const note of agentArgsNotes(loaded)) logger[note.state === 'upgraded' ? 'info' : 'warn'](note.detail);
      session = await openSession({
        executor: options, loaded, secrets, agentEnv: () => agentEnv, running, signal: standbyAbort.signal,
        onStandby: (holder) => {
          standbyHolder = holder;
          if (role === 'starting') setRole('standby');
          else changed();
        },
        events: {
          onWake: (reason) => {
            changed();
            claimLoop.wake(reason);
          },
          onCommandChanged: (id) => {
            session?.approvals.wake(id);
            changed(id);
          },
          onStatus: (status) => {
            sourceStatus = status;
            changed();
          },
        },
        heartbeatState: () => ({ busy: running.size > 0, runningCommandIds: [...running.keys()] }),
        changed,
      });
      standbyHolder = null;
      if (!session || role === 'stopping') return; // stop() arrived while we waited; it closes the session
      // The login-shell probe can take seconds (a user's rc files): it runs once the lock is ours and never
      // delays the lock check, the start or the dashboard; claiming waits for it (issue 15, point 8).
      void loginShellEnvironment(env).then((resolved) => {
        agentEnv = resolved;
        agentEnvReady = true;
        if (role === 'stopping' || role === 'stopped' || !loaded) return;
        problem = configProblem(loaded);
        if (problem) logger.warn(problem);
        // The owner must hear about a policy that asks nothing or a sandbox that cannot run (doctor, tray, window too).
        permissionWarnings = policyWarnings(loaded.config, loaded.path, agentEnv);
        for (const warning of permissionWarnings) logger.warn(warning);
        health ??= startAgentHealth({ loaded: () => loaded, agentEnv: () => agentEnv, env, logger, onChange: () => changed() });
        changed();
        claimLoop.wake('agent environment ready');
      });
      paused = readPaused(paths.state);
      setRole('active');
      await session.connect();
      sourceStatus = session.source.status();
      // Edits of beacon.yaml apply to the next claim; invalid ones are reported and change nothing.
      if (options.watchConfig ?? !options.config) {
        configUpdates.follow(paths.config, (config) => loaded && applyConfig({ ...loaded, config }), changed);
      }
      logger.info(
        `ready: machine ${loaded.machineId}, ${effectiveSource(config)} source, max_concurrent ${config.execution.max_concurrent}${paused ? ', PAUSED (beacon resume to claim)' : ''}`,
      );
      claimLoop.wake('start');
    } catch (error) {
      if (role === 'stopping') return;
      problem = error instanceof Error ? error.message : String(error);
      await session?.close(0).catch(() => {});
      session = null;
      role = 'stopped';
      changed();
      throw error;
    }
  };

  const applyConfig = (next: LoadedConfig): ConfigUpdate => {
    const update = configUpdates.apply(loaded, next);
    loaded = update.loaded;
    // Before the login shell is read, an agent cannot be judged yet (its PATH is not known).
    problem = agentEnvReady ? configProblem(update.loaded) : null;
    if (agentEnvReady) permissionWarnings = policyWarnings(update.loaded.config, update.loaded.path, agentEnv);
    session?.retune(update.loaded.config);
    changed();
    claimLoop.wake('config changed');
    return update;
  };

  const doStop = async (stopOptions: StopOptions): Promise<void> => {
    const { cancelRunning, graceMs } = stopOptions;
    setRole('stopping');
    configUpdates.stop();
    standbyAbort.abort();
    claimLoop.dispose();
    await startPromise?.catch(() => {});
    await claimLoop.idle();
    if (runs.size) {
      logger.info(`stopping: ${runs.size} command(s) still running; waiting up to ${Math.round(graceMs / 1000)}s`);
      await grace.wait([...runs], graceMs);
    }
    if (runs.size && cancelRunning) {
      session?.cancellations.cancelAll(stopOptions.cancelReason ?? EXECUTOR_SHUTDOWN);
      await Promise.all([...runs]);
    }
    output.dispose();
    health?.stop();
    await session?.close(graceMs);
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
    pause: ({ persist = true } = {}) => {
      paused = true;
      if (persist) writePaused(paths.state, true);
      logger.info('paused: no new claims; running commands finish');
      changed();
    },
    resume: ({ persist = true } = {}) => {
      paused = false;
      if (persist) writePaused(paths.state, false);
      logger.info('resumed');
      changed();
      claimLoop.wake('resume');
    },
    cancel: async (commandId) => {
      const source = currentSource();
      if (!source) return { ok: false, message: 'The executor has no command source yet' };
      const wasRunning = session?.cancellations.cancel(commandId, CANCELLED_BY_USER) ?? false;
      const cancelled = await source.requestCancel(commandId);
      if (cancelled) session?.approvals.wake(commandId);
      if (wasRunning) return { ok: true, message: `Cancelling ${commandId}: stopping the agent` };
      if (cancelled) return { ok: true, message: `Cancelled ${commandId}` };
      const command = await source.get(commandId);
      return { ok: false, message: command ? `Command ${commandId} is already ${command.status}` : `No command ${commandId}` };
    },
    decideApproval: async (commandId, decision) => {
      const source = currentSource();
      if (!source) return { ok: false, message: 'The executor has no command source yet' };
      const result = await setApproval(source, commandId, decision);
      if (result.ok) session?.approvals.wake(commandId);
      return result;
    },
    answerPermission: async (requestId, answer, who) => {
      if (!session) return { ok: false, message: 'The executor is not running commands yet' };
      return session.permissions.answer(requestId, answer, who);
    },
    resubscribe: () => {
      if (role !== 'active' || !session) return;
      session.source.resubscribe?.();
      session.heartbeat?.beatNow();
      claimLoop.wake('resubscribe');
    },
    applyConfig,
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
      source: sourceStatus ?? currentSource()?.status() ?? null,
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
      agentHealth: health?.current() ?? null,
      restartNeeded: configUpdates.restartNeeded(),
      configError: configUpdates.error(),
      fleet: session?.fleet?.current() ?? [],
      awaitingApproval: session?.approvals.waiting() ?? [],
      permissionRequests: session?.permissions.list() ?? [],
      permissionWarnings,
    }),
    source: currentSource,
    config: () => loaded,
  };
}
