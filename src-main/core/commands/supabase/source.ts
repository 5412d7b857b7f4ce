import type { SupabaseClient } from '@supabase/supabase-js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command, CommandOutcome, NewCommand } from '../../contract/command.js';
import type {
  ClaimantIdentity,
  CommandList,
  CommandSource,
  HeartbeatState,
  BridgeMachineRow,
  ListQuery,
  OrphanRecovery,
  OutputChunk,
  PreClaimCheck,
  SourceEvents,
  SourceStatus,
} from '../source.js';
import { ChannelManager } from './channel-manager.js';
import { Claimer } from './claim.js';
import { ClaimHints } from './claim-hints.js';
import { SupabaseWriteError, type SupabaseConnection } from './client.js';
import { ConnectionTracker } from './connection.js';
import { connectSupabase } from './connect.js';
import type { SupabaseSourceOptions } from './options.js';
import { LogBatcher } from './log-batcher.js';
import { fetchBridgeMachines, type MachineInfo } from './machine.js';
import { OwnedCommands } from './owned-commands.js';
import { MachinePresence } from './presence.js';
import { cancelCommand, cancelledAmong, commandStatus, enqueueCommand, findIdsByPrefix, getCommand, listCommands, requeueClaimed, setApprovalStatus, setOwnStatus, strayClaims, type QueryContext } from './queries.js';
import { Outbox } from './outbox.js';
import { applyWrite, failedOutcome, type WriteContext, type WriteOp } from './writes.js';
import { recoverOrphans } from './orphans.js';
import { createPermissionTable } from './permission-table.js';
import type { PermissionMirror } from '../source.js';
import { SourceAuth } from './source-auth.js';
import { SourceTimers, type SourceTimings } from './source-timers.js';

const NO_WORKSPACE =
  'No Mentu workspace is chosen: sign in and choose one (Settings, or `beacon login`), or set supabase.workspace_ids in beacon.yaml; then restart Beacon';

const quietEvents: SourceEvents = { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} };

/** The Mentu Supabase command source; see docs/supabase-source.md for what it writes where. */
export class SupabaseSource implements CommandSource {
  readonly kind = 'supabase' as const;
  private events: SourceEvents = quietEvents;
  private identity: ClaimantIdentity | null = null;
  private connectionValue: SupabaseConnection | null = null;
  private outboxValue: Outbox<WriteOp> | null = null;
  private channels: ChannelManager | null = null;
  private claimer: Claimer | null = null;
  /** Pending rows realtime just carried: tried first by the next claim (claim-hints.ts). */
  private readonly hints: ClaimHints;
  private readonly tracker = new ConnectionTracker((status) => this.events.onStatus(status));
  private readonly batcher: LogBatcher;
  private readonly presence: MachinePresence;
  /** Commands this process claimed and has not finished: where cancellations are routed. */
  private readonly owned: OwnedCommands;
  private claimChain: Promise<unknown> = Promise.resolve();
  private readonly timers: SourceTimers;
  private started = false;
  private claimMayBeLost = false;
  private permissions: PermissionMirror | null = null;
  /** Orphan recovery waits for a usable sign-in (a signed-out or refused session sees no rows). */
  private orphansDeferred = false;
  private readonly auth: SourceAuth;

  constructor(private readonly options: SupabaseSourceOptions) {
    const { logger } = options;
    const timers = new SourceTimers(
      { pollSeconds: options.pollSeconds, heartbeatSeconds: options.heartbeatSeconds },
      { poll: () => void this.poll(), beat: () => void this.presence.beatIfQuiet() },
    );
    this.timers = timers;
    this.auth = new SourceAuth({ auth: options.auth, workspaceIds: options.workspaceIds, logger, tracker: this.tracker, onNewToken: () => this.newToken() });
    this.owned = new OwnedCommands(options.machineId, () => this.events);
    this.hints = new ClaimHints({ machineId: options.machineId });
    this.batcher = new LogBatcher({
      workspaceOf: (id) => this.owned.workspaceOf(id),
      emit: (commandId, rows) => void this.outbox.submit({ kind: 'logs', commandId, rows }).catch((error: unknown) => logger.error('spawn_logs write failed', { commandId, error })),
    });
    this.presence = new MachinePresence({
      client: () => this.client,
      machine: () => this.machine,
      tracker: this.tracker,
      logger,
      heartbeatSeconds: () => timers.heartbeatSeconds,
      onReachable: () => this.outbox.kick(),
      onRegistration: (problem) => this.auth.machine(problem === null, problem),
      sessionMode: () => this.auth.mode === 'session',
    });
  }

  private get connection(): SupabaseConnection {
    if (this.connectionValue) return this.connectionValue;
    this.connectionValue = connectSupabase(this.options, this.auth);
    return this.connectionValue;
  }

  private get client(): SupabaseClient {
    return this.connection.client;
  }

  private get outbox(): Outbox<WriteOp> {
    if (this.outboxValue) return this.outboxValue;
    const ctx: WriteContext = {
      client: this.client,
      insertJson: this.connection.insertJson,
      machineId: this.options.machineId,
      maxOutputBytes: this.options.maxOutputBytes,
      onFailure: (kind, message) => this.tracker.restFailed(kind, message),
      onSuccess: () => this.tracker.restSucceeded(),
    };
    this.outboxValue = new Outbox<WriteOp>({
      dir: this.options.outboxDir,
      apply: (op) => applyWrite(ctx, op),
      logger: this.options.logger,
      droppableKinds: ['logs'],
      maxBackoffMs: this.options.tuning?.outboxMaxBackoffMs,
      onChange: (pending) => this.tracker.writes(pending),
    });
    this.tracker.writes(this.outboxValue.pending);
    return this.outboxValue;
  }

  private get queries(): QueryContext {
    return { client: this.client, machineId: this.options.machineId, workspaceIds: this.options.workspaceIds };
  }

  private get machine(): MachineInfo {
    return {
      machineId: this.options.machineId,
      workspaceId: this.primaryWorkspace(),
      userId: this.auth.userId,
      name: this.options.machineName,
      hostname: this.options.hostname,
      agents: this.identity?.agents ?? [],
    };
  }

  private primaryWorkspace(): string | null {
    return this.options.primaryWorkspaceId ?? this.options.workspaceIds[0] ?? null;
  }

  async start(identity: ClaimantIdentity, events: SourceEvents): Promise<void> {
    if (this.started) throw new Error('The Supabase source is already started');
    const { logger, workspaceIds } = this.options;
    this.started = true;
    this.identity = identity;
    this.events = events;
    if (workspaceIds.length === 0) {
      // A first start (sign in, then choose): nothing to serve yet, said in the status line rather than thrown.
      this.tracker.access({ message: NO_WORKSPACE, blocking: true });
      logger.warn(NO_WORKSPACE);
      return;
    }
    this.claimer = new Claimer({ client: this.client, machineId: this.options.machineId, workspaceIds, agents: identity.agents, logger });
    // Writes left from an earlier run go first, so recoverOrphans sees the results they carry.
    await Promise.race([this.outbox.drain(), sleep(5000, undefined, { ref: false })]);
    await this.presence.beat();
    await this.auth.checkAccess(this.client);
    this.channels = new ChannelManager({
      client: this.client,
      filterValues: workspaceIds,
      logger,
      maxBackoffMs: this.options.tuning?.channelMaxBackoffMs ?? 15_000,
      // Every join carries the current token (renewed first if it expired).
      authorize: () => this.auth.authorizeRealtime(this.client),
      events: {
        onSubscribed: () => {
          this.tracker.channels(this.channels?.allSubscribed() ?? false, null);
          this.events.onWake('subscribed');
        },
        onTrouble: (_ws, reason) => {
          // With the service role a refused token is the key's fault. A session's token that expired on the
          // channel is renewed by the rejoin (authorize); the session itself says when that cannot work.
          if (this.auth.mode === 'service_role' && /jwt|token has expired|unauthori[sz]ed/i.test(reason)) this.tracker.authFailed(reason);
          this.tracker.channels(false, reason);
        },
        onChange: (type, row) => {
          this.hints.observe(row); // before the wake it causes, so that claim finds the hint
          this.owned.changed(type, row);
        },
      },
    });
    this.channels.start();
    this.timers.start();
    setImmediate(() => this.events.onWake('start'));
  }

  async stop(): Promise<void> {
    if (!this.started) {
      // Never started (a CLI listing): only the session's watch and timers to end.
      this.auth.stop();
      return;
    }
    this.started = false;
    this.timers.stop();
    await this.batcher.closeAll();
    this.hints.clear();
    await this.channels?.stop();
    await Promise.race([this.outbox.settle(), sleep(5000, undefined, { ref: false })]);
    await this.presence.offline();
    this.outbox.stop();
    this.auth.stop();
  }

  status(): SourceStatus {
    return this.tracker.status();
  }

  claimNext(check: PreClaimCheck): Promise<Command | null> {
    const run = this.claimChain.then(() => this.claimRound(check));
    this.claimChain = run.catch(() => undefined);
    return run;
  }

  private async claimRound(check: PreClaimCheck): Promise<Command | null> {
    if (this.started && this.options.workspaceIds.length === 0) return null;
    if (!this.claimer) throw new Error('The Supabase source is not started');
    try {
      if (this.claimMayBeLost) await this.releaseLostClaims();
      const round = await this.claimer.claimNext(check, this.hints.take());
      this.tracker.restSucceeded();
      for (const { command, reason } of round.claimedToFail) {
        this.options.logger.warn('Claimed a command targeted at this machine that cannot run here; failing it', { commandId: command.id, reason });
        const now = new Date().toISOString();
        await this.outbox.submit({ kind: 'finish', commandId: command.id, outcome: failedOutcome(reason, null, now) });
        this.events.onCommandChanged(command.id);
      }
      if (round.claimed) this.owned.add(round.claimed.id, round.claimed.workspaceId);
      return round.claimed;
    } catch (error) {
      // A claim whose answer was lost may have won in the database: checked before the next round.
      if (error instanceof SupabaseWriteError && (error.kind === 'network' || error.kind === 'server')) this.claimMayBeLost = true;
      // Reported for the status line, then thrown: the executor's claim loop retries shortly.
      this.reportError('claim', error);
      throw error;
    }
  }

  /**
   * Rows claimed by this machine that no run of this process holds can only come from a claim whose
   * response was lost. They never started (a run starts only after claimNext returned it), so they go
   * back to pending rather than being run on the strength of "claimed by me" (docs/mentu-schema.md#bug-double-run).
   */
  private async releaseLostClaims(): Promise<void> {
    for (const id of await strayClaims(this.queries, (id) => this.owned.has(id))) {
      await requeueClaimed(this.queries, id);
      this.options.logger.warn('A claim whose answer was lost is released back to pending', { commandId: id });
    }
    this.claimMayBeLost = false;
  }

  async markRunning(commandId: string, startedAt: string): Promise<boolean> {
    const result = await this.outbox.submit<boolean>({ kind: 'running', commandId, startedAt });
    // Queued: the database is unreachable; we hold the claim, so the run goes ahead and the write follows.
    return result.state === 'done' ? result.value : result.state === 'queued';
  }

  appendOutput(commandId: string, chunk: OutputChunk): void {
    try {
      this.batcher.append(commandId, chunk);
    } catch (error) {
      this.options.logger.warn('Output could not be buffered for spawn_logs', { commandId, error });
    }
  }

  async finish(commandId: string, outcome: CommandOutcome): Promise<boolean> {
    await this.batcher.close(commandId);
    try {
      const result = await this.outbox.submit<boolean>({ kind: 'finish', commandId, outcome });
      if (result.state === 'dropped') this.options.logger.error('The result of a command was refused by the database', { commandId, reason: result.reason });
      return result.state === 'done' ? result.value : result.state === 'queued';
    } finally {
      this.owned.release(commandId);
    }
  }

  async isCancelled(commandId: string): Promise<boolean> {
    try {
      return (await commandStatus(this.queries, commandId)) === 'cancelled';
    } catch (error) {
      this.reportError('cancellation check', error);
      return false;
    }
  }

  async recoverOrphans(): Promise<OrphanRecovery> {
    if (!this.auth.usable()) {
      this.orphansDeferred = true;
      return { failed: [], requeued: [] };
    }
    try {
      return await recoverOrphans({ client: this.client, machineId: this.options.machineId, outbox: this.outbox, logger: this.options.logger });
    } catch (error) {
      // An expired or refused sign-in must not stop the executor: recovery runs once a session works again.
      if (!(error instanceof SupabaseWriteError && error.kind === 'auth')) throw error;
      this.reportError('orphan recovery', error);
      this.orphansDeferred = true;
      return { failed: [], requeued: [] };
    }
  }

  /** A renewed token or a new sign-in: queued writes go, channels that were refused rejoin, work resumes. */
  private newToken(): void {
    if (!this.started && !this.outboxValue) return;
    this.outbox.kick();
    if (this.started && this.channels && !this.channels.allSubscribed()) this.channels.restartAll('a new session token');
    if (this.orphansDeferred) {
      this.orphansDeferred = false;
      void this.recoverOrphans().catch((error: unknown) => this.reportError('orphan recovery', error));
    }
    if (this.started) this.events.onWake('session');
  }

  async markAwaitingApproval(commandId: string): Promise<boolean> {
    // The run is over: its output is flushed, and the approval gate (not the cancel routing) watches it now.
    await this.batcher.close(commandId);
    const marked = await setOwnStatus(this.queries, commandId, { status: 'awaiting_approval', approval_status: 'pending' }, 'running');
    this.owned.release(commandId);
    return marked;
  }

  markApproved(commandId: string): Promise<boolean> {
    return setOwnStatus(this.queries, commandId, { status: 'approved' }, 'awaiting_approval');
  }

  async setApprovalStatus(commandId: string, decision: 'approved' | 'rejected'): Promise<boolean> {
    return setApprovalStatus(this.queries, commandId, decision);
  }

  /** Live permission requests in bridge_permission_requests, where workspace members can answer them. */
  permissionMirror(): PermissionMirror {
    this.permissions ??= createPermissionTable({
      client: () => this.client,
      machineId: this.options.machineId,
      pollSeconds: this.options.pollSeconds,
      logger: this.options.logger,
      authorize: () => this.auth.authorizeRealtime(this.client),
    });
    return this.permissions;
  }

  /** bridge_machines of the configured workspaces (the fleet); the client and its key stay in here. */
  listMachines(): Promise<BridgeMachineRow[]> {
    return fetchBridgeMachines(this.client, this.options.workspaceIds);
  }

  /** New poll and heartbeat periods (beacon.yaml edited): the timers are re-armed, nothing reconnects. */
  retune(timings: SourceTimings): void {
    this.timers.retune(timings);
  }

  /** After wake from sleep or a network change: fresh channels (a fresh token) and a catch-up. */
  resubscribe(): void {
    if (!this.started) return;
    this.channels?.restartAll('resubscribe requested (wake or network change)');
    this.events.onWake('resubscribe');
  }

  heartbeat(state: HeartbeatState): Promise<void> {
    return this.presence.beat(state);
  }

  enqueue(input: NewCommand): Promise<Command> {
    return enqueueCommand(this.queries, input, input.workspaceId ?? this.primaryWorkspace());
  }

  async requestCancel(commandId: string): Promise<boolean> {
    const changed = await cancelCommand(this.queries, commandId, new Date());
    if (changed) this.owned.cancelled(commandId);
    return changed;
  }

  get(commandId: string): Promise<Command | null> {
    return getCommand(this.queries, commandId);
  }

  findIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    return findIdsByPrefix(this.queries, prefix, limit);
  }

  list(query: ListQuery = {}): Promise<CommandList> {
    return listCommands(this.queries, query);
  }

  /** The poll backstop: a wake whatever the socket says, and a cancellation check of what we run. */
  private async poll(): Promise<void> {
    this.events.onWake('poll');
    this.outbox.kick();
    if (this.auth.accessFailing) void this.auth.checkAccess(this.client);
    const ids = this.owned.ids();
    if (ids.length === 0) return;
    try {
      const cancelled = await cancelledAmong(this.queries, ids);
      this.tracker.restSucceeded();
      for (const id of cancelled) this.owned.cancelled(id);
    } catch (error) {
      this.reportError('poll', error);
    }
  }

  private reportError(what: string, error: unknown): void {
    // In session mode a 401 is the session's story (renewal under way, or sign in again): not a second auth_failed.
    if (error instanceof SupabaseWriteError && !(error.kind === 'auth' && this.auth.mode === 'session')) this.tracker.restFailed(error.kind, error.message);
    this.options.logger.warn(`Supabase ${what} failed`, { error });
  }
}

