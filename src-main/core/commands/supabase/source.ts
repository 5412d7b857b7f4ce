import type { SupabaseClient } from '@supabase/supabase-js';
import { allowedPredecessors, type Command, type CommandOutcome, type NewCommand } from '../command.js';
import type {
  ClaimantIdentity,
  CommandSource,
  HeartbeatState,
  ListQuery,
  OrphanRecovery,
  OutputChunk,
  PreClaimCheck,
  SourceEvents,
  SourceStatus,
} from '../source.js';
import { ChannelManager } from './channel-manager.js';
import { Claimer } from './claim.js';
import { createBeaconClient, SupabaseWriteError, unwrap } from './client.js';
import { ConnectionTracker } from './connection.js';
import { SessionExpiredError, SessionTokens } from './credentials.js';
import type { SupabaseSourceOptions } from './index.js';
import { LogBatcher } from './log-batcher.js';
import { statusFor, upsertMachine, type MachineInfo } from './machine.js';
import { newCommandToRow, rowToCommand, type Row } from './mapping.js';
import { Outbox } from './outbox.js';
import { applyWrite, type WriteContext, type WriteOp } from './writes.js';
import { recoverOrphans } from './orphans.js';

const quietEvents: SourceEvents = { onWake: () => {}, onCancelled: () => {}, onCommandChanged: () => {}, onStatus: () => {} };

/** The Mentu Supabase command source; see docs/supabase-source.md for what it writes where. */
export class SupabaseSource implements CommandSource {
  readonly kind = 'supabase' as const;
  private events: SourceEvents = quietEvents;
  private identity: ClaimantIdentity | null = null;
  private clientValue: SupabaseClient | null = null;
  private session: SessionTokens | null = null;
  private outboxValue: Outbox<WriteOp> | null = null;
  private channels: ChannelManager | null = null;
  private claimer: Claimer | null = null;
  private readonly tracker = new ConnectionTracker((status) => this.events.onStatus(status));
  private readonly batcher: LogBatcher;
  /** Commands this process claimed and has not finished: where cancellations are routed. */
  private readonly owned = new Map<string, string | null>();
  private readonly cancelNotified = new Set<string>();
  private claimChain: Promise<unknown> = Promise.resolve();
  private heartbeatState: HeartbeatState = { busy: false, runningCommandIds: [] };
  private timers: NodeJS.Timeout[] = [];
  private started = false;
  private lastBeatAt = 0;
  private claimMayBeLost = false;

  constructor(private readonly options: SupabaseSourceOptions) {
    const { auth, logger } = options;
    logger.redact(auth.kind === 'service_role' ? auth.key : auth.anonKey);
    this.batcher = new LogBatcher({
      workspaceOf: (id) => this.owned.get(id) ?? null,
      emit: (commandId, rows) => void this.outbox.submit({ kind: 'logs', commandId, rows }).catch((error: unknown) => logger.error('spawn_logs write failed', { commandId, error })),
    });
  }

  private get client(): SupabaseClient {
    if (this.clientValue) return this.clientValue;
    const { url, auth, logger } = this.options;
    let accessToken: () => Promise<string>;
    if (auth.kind === 'service_role') {
      accessToken = () => Promise.resolve(auth.key);
    } else {
      this.session = new SessionTokens({ url, anonKey: auth.anonKey, credentialsPath: auth.credentialsPath, onToken: (t) => logger.redact(t) });
      const session = this.session;
      accessToken = () =>
        session.accessToken().catch((error: unknown) => {
          if (error instanceof SessionExpiredError) this.tracker.authFailed(error.message);
          throw error;
        });
    }
    this.clientValue = createBeaconClient({
      url,
      apiKey: auth.kind === 'service_role' ? auth.key : auth.anonKey,
      accessToken,
      requestTimeoutMs: this.options.tuning?.requestTimeoutMs,
      heartbeatIntervalMs: this.options.tuning?.realtimeHeartbeatMs,
    });
    return this.clientValue;
  }

  private get outbox(): Outbox<WriteOp> {
    if (this.outboxValue) return this.outboxValue;
    const ctx: WriteContext = {
      client: this.client,
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
    this.started = true;
    this.identity = identity;
    this.events = events;
    const { logger, workspaceIds, pollSeconds, heartbeatSeconds } = this.options;
    if (workspaceIds.length === 0) throw new Error('No Mentu workspace configured: set supabase.workspace_ids in beacon.yaml.');
    this.claimer = new Claimer({ client: this.client, machineId: this.options.machineId, workspaceIds, agents: identity.agents, logger });
    // Writes left from an earlier run go first, so recoverOrphans sees the results they carry.
    await Promise.race([this.outbox.drain(), delay(5000)]);
    await this.beat();
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
        onChange: (type, row) => this.onChange(type, row),
      },
    });
    this.channels.start();
    this.timers.push(setInterval(() => void this.poll(), pollSeconds * 1000), setInterval(() => void this.beatIfQuiet(), heartbeatSeconds * 1000));
    for (const timer of this.timers) timer.unref();
    setImmediate(() => this.events.onWake('start'));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.batcher.closeAll();
    await this.channels?.stop();
    await Promise.race([this.outbox.settle(), delay(5000)]);
    const offline = upsertMachine(this.client, this.machine, 'offline', null, new Date());
    const result = await Promise.race([offline, delay(3000).then(() => null)]);
    if (result && !result.ok) this.options.logger.warn(result.message);
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
      const round = await this.claimer.claimNext(check);
      this.tracker.restSucceeded();
      for (const { command, reason } of round.claimedToFail) {
        this.options.logger.warn('Claimed a command targeted at this machine that cannot run here; failing it', { commandId: command.id, reason });
        const now = new Date().toISOString();
        await this.outbox.submit({ kind: 'finish', commandId: command.id, outcome: failedOutcome(reason, null, now) });
        this.events.onCommandChanged(command.id);
      }
      if (round.claimed) this.owned.set(round.claimed.id, round.claimed.workspaceId);
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
   * back to pending rather than being run on the strength of "claimed by me" (mentu-compat §11.1).
   */
  private async releaseLostClaims(): Promise<void> {
    const response = await this.client.from('bridge_commands').select('id').eq('claimed_by_machine_id', this.options.machineId).eq('status', 'claimed');
    const ids = ((unwrap('list claimed commands', response) ?? []) as Row[]).map((r) => String(r.id)).filter((id) => !this.owned.has(id));
    for (const id of ids) {
      const release = await this.client
        .from('bridge_commands')
        .update({ status: 'pending', claimed_by_machine_id: null, claimed_at: null })
        .eq('id', id)
        .eq('status', 'claimed')
        .eq('claimed_by_machine_id', this.options.machineId)
        .select('id');
      unwrap('release lost claim', release);
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
    this.batcher.close(commandId);
    try {
      const result = await this.outbox.submit<boolean>({ kind: 'finish', commandId, outcome });
      if (result.state === 'dropped') this.options.logger.error('The result of a command was refused by the database', { commandId, reason: result.reason });
      return result.state === 'done' ? result.value : result.state === 'queued';
    } finally {
      this.owned.delete(commandId);
      this.cancelNotified.delete(commandId);
    }
  }

  async isCancelled(commandId: string): Promise<boolean> {
    try {
      const response = await this.client.from('bridge_commands').select('status').eq('id', commandId).maybeSingle();
      const row = unwrap('read command status', response) as { status?: string } | null;
      return row?.status === 'cancelled';
    } catch (error) {
      this.reportError('cancellation check', error);
      return false;
    }
  }

  recoverOrphans(): Promise<OrphanRecovery> {
    return recoverOrphans({ client: this.client, machineId: this.options.machineId, outbox: this.outbox, logger: this.options.logger });
  }

  markAwaitingApproval(commandId: string): Promise<boolean> {
    return this.guardedStatus(commandId, { status: 'awaiting_approval', approval_status: 'pending' }, 'running');
  }

  markApproved(commandId: string): Promise<boolean> {
    return this.guardedStatus(commandId, { status: 'approved' }, 'awaiting_approval');
  }

  /** After wake from sleep or a network change: fresh channels (a fresh token) and a catch-up. */
  resubscribe(): void {
    if (!this.started) return;
    this.channels?.restartAll('resubscribe requested (wake or network change)');
    this.events.onWake('resubscribe');
  }

  private async guardedStatus(commandId: string, patch: Record<string, unknown>, from: string): Promise<boolean> {
    const response = await this.client.from('bridge_commands').update(patch).eq('id', commandId).eq('status', from).eq('claimed_by_machine_id', this.options.machineId).select('id');
    return ((unwrap(`set status ${String(patch.status)}`, response) ?? []) as Row[]).length === 1;
  }

  async heartbeat(state: HeartbeatState): Promise<void> {
    this.heartbeatState = state;
    await this.beat();
  }

  async enqueue(input: NewCommand): Promise<Command> {
    const workspaceId = input.workspaceId ?? this.primaryWorkspace();
    if (!workspaceId) throw new Error('No Mentu workspace to queue the command in: set supabase.workspace_ids in beacon.yaml.');
    const response = await this.client.from('bridge_commands').insert(newCommandToRow(input, workspaceId, 'claude')).select('*').single();
    return rowToCommand(unwrap('queue command', response) as Row);
  }

  async requestCancel(commandId: string): Promise<boolean> {
    const response = await this.client
      .from('bridge_commands')
      .update({ status: 'cancelled', completed_at: new Date().toISOString() })
      .eq('id', commandId)
      .in('status', allowedPredecessors('cancelled'))
      .select('id');
    const changed = ((unwrap('cancel command', response) ?? []) as Row[]).length === 1;
    if (changed) this.notifyCancelled(commandId);
    return changed;
  }

  async get(commandId: string): Promise<Command | null> {
    const response = await this.client.from('bridge_commands').select('*').eq('id', commandId).maybeSingle();
    const row = unwrap('read command', response) as Row | null;
    return row ? rowToCommand(row) : null;
  }

  async list(query: ListQuery = {}): Promise<Command[]> {
    const limit = query.limit ?? 50;
    const wanted = (c: Command) => !query.statuses || query.statuses.includes(c.status);
    const active = this.client.from('bridge_commands').select('*').eq('claimed_by_machine_id', this.options.machineId).in('status', ['claimed', 'running']).order('created_at', { ascending: false });
    let recent = this.client.from('bridge_commands').select('*').in('workspace_id', this.options.workspaceIds).order('created_at', { ascending: false }).limit(limit);
    if (query.statuses) recent = recent.in('status', query.statuses);
    const [mine, others] = await Promise.all([active, recent]);
    const first = ((unwrap('list running commands', mine) ?? []) as Row[]).map(rowToCommand).filter(wanted);
    const seen = new Set(first.map((c) => c.id));
    const rest = ((unwrap('list commands', others) ?? []) as Row[]).map(rowToCommand).filter((c) => !seen.has(c.id));
    return [...first, ...rest].slice(0, limit);
  }

  private onChange(type: 'INSERT' | 'UPDATE', row: Row): void {
    const id = typeof row.id === 'string' ? row.id : null;
    if (!id) return;
    const forUs = row.target_machine_id == null || row.target_machine_id === this.options.machineId;
    if (row.status === 'cancelled' && this.owned.has(id)) this.notifyCancelled(id);
    if (row.status === 'pending' && forUs) this.events.onWake(type === 'INSERT' ? 'insert' : 'update');
    this.events.onCommandChanged(id);
  }

  private notifyCancelled(commandId: string): void {
    if (!this.owned.has(commandId) || this.cancelNotified.has(commandId)) return;
    this.cancelNotified.add(commandId);
    this.events.onCancelled(commandId);
  }

  /** The poll backstop: a wake whatever the socket says, and a cancellation check of what we run. */
  private async poll(): Promise<void> {
    this.events.onWake('poll');
    this.outbox.kick();
    const ids = [...this.owned.keys()];
    if (ids.length === 0) return;
    try {
      const response = await this.client.from('bridge_commands').select('id,status').in('id', ids);
      const rows = (unwrap('check cancellations', response) ?? []) as Row[];
      this.tracker.restSucceeded();
      for (const row of rows) if (row.status === 'cancelled' && typeof row.id === 'string') this.notifyCancelled(row.id);
    } catch (error) {
      this.reportError('poll', error);
    }
  }

  /** The source's own heartbeat timer: skipped when the executor's heartbeat() already beat this period. */
  private async beatIfQuiet(): Promise<void> {
    if (Date.now() - this.lastBeatAt < this.options.heartbeatSeconds * 900) return;
    await this.beat();
  }

  private async beat(): Promise<void> {
    this.lastBeatAt = Date.now();
    const { status, currentCommandId } = statusFor(this.heartbeatState);
    const result = await upsertMachine(this.client, this.machine, status, currentCommandId, new Date());
    if (result.ok) {
      this.tracker.registration(null);
      this.tracker.restSucceeded();
      this.outbox.kick();
    } else {
      this.options.logger.warn(result.message, { machineId: this.options.machineId });
      this.tracker.registration(result.message);
      if (result.status === 0 && !/skipped/.test(result.message)) this.tracker.restFailed('network', result.message);
      if (result.status === 401) this.tracker.restFailed('auth', result.message);
    }
  }

  private reportError(what: string, error: unknown): void {
    if (error instanceof SupabaseWriteError) this.tracker.restFailed(error.kind, error.message);
    else if (error instanceof SessionExpiredError) this.tracker.authFailed(error.message);
    this.options.logger.warn(`Supabase ${what} failed`, { error });
  }
}

export function failedOutcome(reason: string, startedAt: string | null, completedAt: string): CommandOutcome {
  return { status: 'failed', exitCode: null, errorMessage: reason, summary: null, stdoutTail: '', stdoutTruncated: false, stderr: reason, stderrTruncated: false, startedAt, completedAt };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
