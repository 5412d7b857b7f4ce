import { createExecutorApprovals, type ExecutorApprovals } from '../approvals/executor-approvals.js';
import { startAskServer } from '../approvals/ask-channel.js';
import { createPermissionRequests, type PermissionRequests } from '../approvals/permission-requests.js';
import { createCommandSource } from '../commands/create-source.js';
import type { CommandSource, HeartbeatState, SourceEvents } from '../commands/source.js';
import type { LoadedConfig } from '../config/load.js';
import type { LockHolderView } from '../contract/types.js';
import { ledgerClientFromConfig, type LedgerClient } from '../ledger.js';
import type { HeldExecutorLock } from '../lock/executor-lock.js';
import type { SecretStore } from '../secrets.js';
import { watchCancellations, type CancellationWatch } from './cancellations.js';
import { startFleetRefresh, type FleetRefresh } from './fleet-refresh.js';
import { startHeartbeat, type Heartbeat } from './heartbeat.js';
import { recoverOrphans } from './orphans.js';
import type { RunningEntry } from './run-command.js';
import { takeExecutorLock } from './take-lock.js';
import type { ExecutorOptions } from './types.js';

/**
 * Everything one start of the executor holds — the command source, the singleton lock, the ledger
 * client, post-run approvals, the cancellation watch, and once connected the heartbeat and the fleet —
 * built in order on start and torn down as a unit, in reverse, whether the start finished or not.
 */
export interface ExecutorSession {
  readonly source: CommandSource;
  readonly lock: HeldExecutorLock;
  readonly ledger: LedgerClient | null;
  readonly approvals: ExecutorApprovals;
  /** Live permission requests of running commands, and the channel their permission servers ask on. */
  readonly permissions: PermissionRequests;
  readonly cancellations: CancellationWatch;
  /** Set by connect(). */
  readonly heartbeat: Heartbeat | null;
  readonly fleet: FleetRefresh | null;
  /** Start the source (realtime/poll), the heartbeat and the fleet refresh: from here commands arrive. */
  connect(): Promise<void>;
  /** New poll and heartbeat periods from an edited beacon.yaml, without reconnecting. */
  retune(config: LoadedConfig['config']): void;
  /** Stop everything this session started; a running on_approve gets graceMs. Safe to call twice. */
  close(graceMs: number): Promise<void>;
}

export interface SessionOptions {
  executor: ExecutorOptions;
  loaded: LoadedConfig;
  secrets: SecretStore;
  agentEnv: () => Record<string, string>;
  running: ReadonlyMap<string, RunningEntry>;
  /** Aborted by stop(): ends a standby wait, and the session is closed instead of returned. */
  signal: AbortSignal;
  onStandby(holder: LockHolderView): void;
  /** The executor's reactions to the source; the session adds cancellations. */
  events: Omit<SourceEvents, 'onCancelled'>;
  heartbeatState(): HeartbeatState;
  changed(commandId?: string | null): void;
}

/** Open a session, or null when stop() arrived meanwhile (what was built is closed again). */
export async function openSession(options: SessionOptions): Promise<ExecutorSession | null> {
  const { executor, loaded, signal } = options;
  const { paths, logger, mode } = executor;
  const config = loaded.config;
  const owned = !executor.source;
  let started = false;
  // What is built so far; close() takes down whatever exists, in reverse order of building.
  const parts: {
    source?: CommandSource; lock?: HeldExecutorLock; cancellations?: CancellationWatch; approvals?: ExecutorApprovals;
    permissions?: PermissionRequests; askServer?: { close(): Promise<void> }; heartbeat?: Heartbeat; fleet?: FleetRefresh;
  } = {};
  let closing: Promise<void> | null = null;
  const step = async (what: string, action: () => Promise<void> | void): Promise<void> => {
    try {
      await action();
    } catch (error) {
      logger.warn(`stopping the executor: ${what} failed`, { error });
    }
  };
  const close = (graceMs: number): Promise<void> =>
    (closing ??= (async () => {
      const { source, lock, cancellations, approvals, permissions, askServer, heartbeat, fleet } = parts;
      if (approvals) await step('approvals', () => approvals.stop(graceMs));
      if (askServer) await step('the permission channel', () => askServer.close());
      permissions?.stop();
      const mirror = source?.permissionMirror?.();
      if (mirror && started) await step('the permission requests table', () => mirror.stop());
      fleet?.stop();
      heartbeat?.stop();
      cancellations?.stop();
      if (source && (owned || started)) await step('the source', () => source.stop());
      if (lock) await lock.release();
    })());

  try {
    const source = (parts.source = executor.source ?? (await createCommandSource({ loaded, paths, env: executor.env ?? process.env, secrets: options.secrets, logger })));
    const lock = (parts.lock = await takeExecutorLock({
      paths, mode, machineId: loaded.machineId, logger, retryMs: executor.lockRetryMs ?? 2000, signal, onStandby: options.onStandby,
    }));
    if (signal.aborted) return (await close(0), null);

    await recoverOrphans(source, logger);
    const ledger = await ledgerClientFromConfig(config, options.secrets, { machineName: loaded.machineName, logger });
    const cancellations = (parts.cancellations = watchCancellations({ source, running: options.running, logger, pollMs: executor.cancelPollMs ?? 2000 }));
    const approvals = (parts.approvals = createExecutorApprovals({
      source,
      approvalsFile: paths.approvals,
      agentEnv: options.agentEnv,
      ledger: () => ledger,
      onApproveTimeoutMs: config.execution.default_timeout_seconds * 1000,
      maxOutputBytes: config.execution.max_output_bytes,
      logger,
      changed: options.changed,
      pollIntervalMs: executor.approvalPollMs,
    }));
    // Waits a previous process left (the approval may have been given while Beacon was stopped).
    await approvals.resume();
    const permissions = (parts.permissions = createPermissionRequests({
      mentuHome: paths.home,
      logger,
      mirror: () => (started ? (source.permissionMirror?.() ?? null) : null),
      now: executor.clock,
      changed: (id) => options.changed(id),
      note: (id, line) => source.appendOutput(id, { stream: 'stderr', text: `${line}\n` }),
    }));
    parts.askServer = await startAskServer({ socketPath: paths.permissionSocket, ask: permissions.ask, logger });

    return {
      source, lock, ledger, approvals, permissions, cancellations,
      get heartbeat() {
        return parts.heartbeat ?? null;
      },
      get fleet() {
        return parts.fleet ?? null;
      },
      retune: (next) => {
        const timings = { pollSeconds: next.supabase.poll_seconds, heartbeatSeconds: next.supabase.heartbeat_seconds };
        source.retune?.(timings);
        parts.heartbeat?.setPeriod(timings.heartbeatSeconds * 1000);
        parts.fleet?.setHeartbeatSeconds(timings.heartbeatSeconds);
      },
      connect: async () => {
        started = true;
        await source.start(
          { machineId: loaded.machineId, agents: Object.keys(config.agents), workspaceIds: config.supabase.workspace_ids },
          { ...options.events, onCancelled: (id) => cancellations.cancelledAtSource(id) },
        );
        const mirror = source.permissionMirror?.() ?? null;
        if (mirror) {
          // An answer outlives a restart only while its command runs: none does yet, so what an earlier process left is void.
          const voided = await mirror.voidLeftovers('void: the executor restarted and the command no longer runs, so this request can no longer be answered')
            .catch((error: unknown) => (logger.warn('could not void the permission requests an earlier executor left', { error }), 0));
          if (voided) logger.info(`${voided} permission request(s) left by an earlier executor are void`);
          mirror.watch(permissions.pendingIds, permissions.applyRemote);
        }
        parts.heartbeat = startHeartbeat(source, config.supabase.heartbeat_seconds * 1000, options.heartbeatState, logger);
        parts.heartbeat.beatNow();
        parts.fleet = startFleetRefresh({
          source, paths, selfMachineId: loaded.machineId, heartbeatSeconds: config.supabase.heartbeat_seconds,
          now: executor.clock ?? (() => new Date()), logger, onChange: () => options.changed(),
        });
        void parts.fleet.refreshNow();
      },
      close,
    };
  } catch (error) {
    await close(0).catch(() => {});
    throw error;
  }
}
