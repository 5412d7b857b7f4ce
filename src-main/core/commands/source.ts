import type { Command, CommandOutcome, NewCommand } from '../contract/command.js';
import type { PermissionAnswer, PermissionRequestState, PermissionRequestView } from '../contract/permission-request.js';
import type { AuthView } from '../contract/types.js';

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
  /** Supabase only: how the source is signed in and what that reaches. */
  auth?: AuthView | null;
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
  /**
   * For views: prompts and errors may be cut to about this many characters while reading (a listing of
   * views must not load megabytes of prompts it will not show). The cut text is longer than the limit, so
   * the reader can tell it was cut. Unset: whole texts.
   */
  textLimit?: number;
}

/** A row a listing left out, and why (issue 15, point 5: one bad row must not empty the list). */
export interface SkippedRow {
  id: string | null;
  reason: string;
}

/** A listing: the commands, plus the rows that could not be shown. */
export type CommandList = Command[] & { skipped?: SkippedRow[] };

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

  /**
   * Optional: the copy of live permission requests in the source's database (Mentu's bridge_permission_requests),
   * where a phone or web client signed in to the workspace can answer. Null when the source has none.
   */
  permissionMirror?(): PermissionMirror | null;

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
  /**
   * Recent commands for the UI and `beacon list`: running first, then newest. A row that cannot be read as
   * a command (no text id, a status Beacon does not know) is left out and reported in `skipped`.
   */
  list(query?: ListQuery): Promise<CommandList>;
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

export type PermissionSettleResult =
  | { outcome: 'won' }
  | { outcome: 'lost'; state: PermissionRequestState; answer: PermissionAnswer }
  | { outcome: 'unreachable'; reason: string };

/**
 * Permission requests in the source's database. The database arbitrates: an answer counts only if its guarded
 * update (status still pending) changed the row, whoever wrote it (this executor for its local surfaces, or a
 * workspace member's client directly).
 */
export interface PermissionMirror {
  /** Write a new pending request (the summary and detail a client shows; no secrets). */
  publish(request: PermissionRequestView): Promise<void>;
  /** Settle pending → state with this answer; `lost` carries the answer that was first. */
  settle(requestId: string, state: PermissionRequestState, answer: PermissionAnswer): Promise<PermissionSettleResult>;
  /** Answers written by clients, for the requests `pendingIds` names: realtime, a catch-up on each (re)subscribe, and a poll. */
  watch(pendingIds: () => string[], onAnswer: (requestId: string, state: PermissionRequestState, answer: PermissionAnswer) => void): void;
  /** At start: requests an earlier process left pending are void (their command no longer runs here). Returns how many. */
  voidLeftovers(reason: string): Promise<number>;
  stop(): Promise<void>;
}
