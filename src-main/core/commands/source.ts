import type { Command, CommandOutcome, NewCommand } from '../contract/command.js';

/**
 * The CommandSource port: where commands come from and where their progress goes. The executor talks
 * only to this interface; the shells choose the implementation (local SQLite queue or Mentu Supabase).
 */

/** Connection state of a source, shown in the UI header and the tray. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'auth_failed';

export interface SourceStatus {
  kind: 'local' | 'supabase';
  connection: ConnectionState;
  /** Human-readable reason for reconnecting / offline / auth_failed (never contains a secret). */
  detail: string | null;
  /** Writes waiting in the outbox (Supabase) because the database is unreachable. */
  pendingWrites: number;
}

/** Who is claiming: the persistent machine id and what it can run. */
export interface ClaimantIdentity {
  machineId: string;
  /** Agent names this machine has configured. */
  agents: string[];
  /** Workspaces this machine serves (Supabase); empty for the local queue. */
  workspaceIds: string[];
}

/**
 * The executor's local pre-claim check: can this machine run the command? A source calls it on
 * candidates before claiming them, so nothing is claimed that would fail for local reasons.
 * `ok: false` with `claimAndFail: true` means the command is ours (targeted at this machine, or in a
 * queue only we serve) and must be claimed and failed with `reason` rather than left pending forever.
 */
/** `unchecked`: the check itself threw (commands/check-guard.ts); the reason carries its message. */
export type PreClaimDecision = { ok: true } | { ok: false; reason: string; claimAndFail: boolean; unchecked?: boolean };
export type PreClaimCheck = (command: Command) => PreClaimDecision;

export interface SourceEvents {
  /** Something may be claimable now (insert event, local notify, poll backstop, (re)subscribe). */
  onWake(reason: string): void;
  /** A command this machine runs was cancelled at the source (a user's cancel). */
  onCancelled(commandId: string): void;
  /** A command changed at the source (for the UI), e.g. approval given, or a row inserted. */
  onCommandChanged(commandId: string): void;
  onStatus(status: SourceStatus): void;
}

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  /** ANSI-stripped, decoded text. The source batches and bounds it. */
  text: string;
}

export interface HeartbeatState {
  busy: boolean;
  runningCommandIds: string[];
}

export interface OrphanRecovery {
  /** Were `running` (may have started): ended failed "executor restarted", never re-run. */
  failed: string[];
  /** Were `claimed` but provably never started: back to `pending`. */
  requeued: string[];
}

export interface ListQuery {
  limit?: number;
  statuses?: Command['status'][];
}

export interface CommandSource {
  readonly kind: 'local' | 'supabase';

  /** Connect, subscribe, register the machine. Events start flowing after this resolves. */
  start(identity: ClaimantIdentity, events: SourceEvents): Promise<void>;
  /** Stop subscriptions and timers; flush pending output. Marks the machine offline where that exists. */
  stop(): Promise<void>;
  status(): SourceStatus;

  /**
   * Atomically claim the oldest eligible pending command that passes `check`, or return null.
   * Only one claimant in the world ever gets a given command back.
   */
  claimNext(check: PreClaimCheck): Promise<Command | null>;
  /** claimed → running with started_at. Returns false if the guard failed (e.g. it was cancelled). */
  markRunning(commandId: string, startedAt: string): Promise<boolean>;
  /** Stream output to the source (batched inside the source). Never throws. */
  appendOutput(commandId: string, chunk: OutputChunk): void;
  /**
   * Record a terminal outcome, guarded so only an active row changes. Returns false when the row was
   * no longer active (a user's cancel wins; the caller then records nothing else).
   */
  finish(commandId: string, outcome: CommandOutcome): Promise<boolean>;
  /** running → awaiting_approval after a successful run that requires approval. */
  markAwaitingApproval?(commandId: string): Promise<boolean>;
  /** awaiting_approval → approved once the approval was read, just before on_approve runs (approvals/gate.ts). */
  markApproved?(commandId: string): Promise<boolean>;
  /**
   * A person's decision on a command awaiting approval (`beacon approve|reject`): sets approval_status,
   * guarded by status awaiting_approval. False when the command is not awaiting approval.
   */
  setApprovalStatus?(commandId: string, decision: 'approved' | 'rejected'): Promise<boolean>;
  /** The executors registered for the configured workspaces (bridge_machines), for the fleet view. */
  listMachines?(): Promise<BridgeMachineRow[]>;
  /** Is the command cancelled at the source? (Polled as a backstop to onCancelled.) */
  isCancelled(commandId: string): Promise<boolean>;
  /** Recover this machine's orphans after a restart (see OrphanRecovery). */
  recoverOrphans(): Promise<OrphanRecovery>;
  heartbeat(state: HeartbeatState): Promise<void>;
  /** Optional: after wake from sleep or a network change, rejoin subscriptions and run a catch-up query. */
  resubscribe?(): void;
  /** Optional: new poll and heartbeat periods (beacon.yaml edited), applied without reconnecting. */
  retune?(timings: { pollSeconds: number; heartbeatSeconds: number }): void;

  /** Create a command (`beacon enqueue`, re-queue). Returns it with its new id. */
  enqueue(input: NewCommand): Promise<Command>;
  /** Ask to cancel a command (pending → cancelled at once; running → cancelled, the executor kills it). */
  requestCancel(commandId: string): Promise<boolean>;
  get(commandId: string): Promise<Command | null>;
  /**
   * Ids that start with `prefix` (at most `limit`), for ids shortened to their first characters as the UIs
   * show them (commands/resolve-id.ts decides what a prefix means; this only finds candidates).
   */
  findIdsByPrefix(prefix: string, limit: number): Promise<string[]>;
  /** Recent commands for the UI and `beacon list`: running first, then newest. */
  list(query?: ListQuery): Promise<Command[]>;
}

/** The bridge_machines columns the fleet reads (docs/mentu-schema.md#bridge-machines). */
export interface BridgeMachineRow {
  id: string;
  workspace_id: string;
  name: string | null;
  hostname: string | null;
  status: string | null;
  last_seen_at: string | null;
  current_command_id?: string | null;
  agents_available?: string[] | null;
}
