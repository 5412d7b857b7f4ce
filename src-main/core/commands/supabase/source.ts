import type { SupabaseClient } from '@supabase/supabase-js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command, CommandOutcome, NewCommand } from '../../contract/command.js';
import type {
  ClaimantIdentity,
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
import { SessionExpiredError, type SessionTokens } from './credentials.js';
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

const quietEvents: SourceEvents = { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} };

/** The Mentu Supabase command source; see docs/supabase-source.md for what it writes where. */
export class SupabaseSource implements CommandSource {
  readonly kind = 'supabase' as const;
  private events: SourceEvents = quietEvents;
  private identity: ClaimantIdentity | null = null;
  private connectionValue: SupabaseConnection | null = null;
  private session: SessionTokens | null = null;
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
  private timers: NodeJS.Timeout[] = [];
  /** Poll and heartbeat periods: from the options, then from retune() when beacon.yaml changes. */
  private timings: { pollSeconds: number; heartbeatSeconds: number };
  private started = false;
  private claimMayBeLost = false;

  constructor(private readonly options: SupabaseSourceOptions) {
    const { auth, logger } = options;
    this.timings = { pollSeconds: options.pollSeconds, heartbeatSeconds: options.heartbeatSeconds };
    const timings = this.timings;
    logger.redact(auth.kind === 'service_role' ? auth.key : auth.anonKey);
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
      heartbeatSeconds: () => timings.heartbeatSeconds,
      onReachable: () => this.outbox.kick(),
    });
  }

  private get connection(): SupabaseConnection {
    if (this.connectionValue) return this.connectionValue;
    const connection = connectSupabase(this.options, (message) => this.tracker.authFailed(message));
    this.session = connection.session;
    this.connectionValue = { client: connection.client, insertJson: connection.insertJson };
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
      userId: this.session?.userId ?? null,
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
    if (workspaceIds.length === 0) throw new Error('No Mentu workspace configured: set supabase.workspace_ids in beacon.yaml.');
    this.started = true;
    this.identity = identity;
    this.events = events;
    this.claimer = new Claimer({ client: this.client, machineId: this.options.machineId, workspaceIds, agents: identity.agents, logger });
    // Writes left from an earlier run go first, so recoverOrphans sees the results they carry.
    await Promise.race([this.outbox.drain(), sleep(5000, undefined, { ref: false })]);
    await this.presence.beat();
    this.channels = new ChannelManager({
      client: this.client,
      workspaceIds,
      logger,
      maxBackoffMs: this.options.tuning?.channelMaxBackoffMs ?? 15_000,
      events: {
        onSubscribed: () => {
          this.tracker.channels(this.channels?.allSubscribed() ?? false, null);
          this.events.onWake('subscribed');
        },
        onTrouble: (_ws, reason) => {
          // Realtime refuses an expired or invalid token at join time: that is an auth problem, not a network one.
          if (/jwt|token has expired|unauthori[sz]ed/i.test(reason)) this.tracker.authFailed(reason);
          this.tracker.channels(false, reason);
        },
        onChange: (type, row) => {
          this.hints.observe(row); // before the wake it causes, so that claim finds the hint
          this.owned.changed(type, row);
        },
      },
    });
    this.channels.start();
    this.armTimers();
    setImmediate(() => this.events.onWake('start'));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.batcher.closeAll();
    this.hints.clear();
    await this.channels?.stop();
    await Promise.race([this.outbox.settle(), sleep(5000, undefined, { ref: false })]);
    await this.presence.offline();
    this.outbox.stop();
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

  recoverOrphans(): Promise<OrphanRecovery> {
    return recoverOrphans({ client: this.client, machineId: this.options.machineId, outbox: this.outbox, logger: this.options.logger });
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

  /** bridge_machines of the configured workspaces (the fleet); the client and its key stay in here. */
  listMachines(): Promise<BridgeMachineRow[]> {
    return fetchBridgeMachines(this.client, this.options.workspaceIds);
  }

  /** New poll and heartbeat periods (beacon.yaml edited): the timers are re-armed, nothing reconnects. */
  retune(timings: { pollSeconds: number; heartbeatSeconds: number }): void {
    if (timings.pollSeconds === this.timings.pollSeconds && timings.heartbeatSeconds === this.timings.heartbeatSeconds) return;
    Object.assign(this.timings, timings);
    if (this.started) this.armTimers();
  }

  private armTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [
      setInterval(() => void this.poll(), this.timings.pollSeconds * 1000),
      setInterval(() => void this.presence.beatIfQuiet(), this.timings.heartbeatSeconds * 1000),
    ];
    for (const timer of this.timers) timer.unref();
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

  list(query: ListQuery = {}): Promise<Command[]> {
    return listCommands(this.queries, query);
  }

  /** The poll backstop: a wake whatever the socket says, and a cancellation check of what we run. */
  private async poll(): Promise<void> {
    this.events.onWake('poll');
    this.outbox.kick();
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
    if (error instanceof SupabaseWriteError) this.tracker.restFailed(error.kind, error.message);
    else if (error instanceof SessionExpiredError) this.tracker.authFailed(error.message);
    this.options.logger.warn(`Supabase ${what} failed`, { error });
  }
}

