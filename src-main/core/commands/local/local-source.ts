import { randomUUID } from 'node:crypto';
import { ACTIVE_STATUSES, type Command, type CommandOutcome, type CommandStatus, type NewCommand } from '../../contract/command.js';
import { allowedPredecessors } from '../command.js';
import type {
  ClaimantIdentity,
  CommandSource,
  HeartbeatState,
  ListQuery,
  OrphanRecovery,
  OutputChunk,
  PreClaimCheck,
  PreClaimDecision,
  SourceEvents,
  SourceStatus,
  CommandList,
} from '../source.js';
import { guardedCheck, uncheckedDecision } from '../check-guard.js';
import { readableCommands } from '../row-fields.js';
import { openLocalDatabase, type LocalDatabase } from './database.js';
import { rowToCommand, type CommandRow } from './rows.js';
import { watchForeignWrites, type DataWatcher } from './watcher.js';

/**
 * The embedded local queue: a CommandSource over one SQLite file, safe across processes. Every status
 * write is guarded by the state machine (allowedPredecessors), so a user's cancel is never overwritten.
 * Output is not stored here: the command's log file is the local output store.
 */
export interface LocalSourceOptions {
  file: string;
  /** The machine that claims here (claimed_by_machine_id). */
  machineId: string;
  /** The agent used when a new command names none. */
  defaultAgent: string;
  now?: () => Date;
  /** How often to look for writes by other processes (default 100 ms). */
  watchIntervalMs?: number;
}

export interface LocalCommandSource extends CommandSource {
  readonly kind: 'local';
}

const CANDIDATE_LIMIT = 200;

export function createLocalSource(options: LocalSourceOptions): LocalCommandSource {
  const now = () => (options.now ? options.now() : new Date()).toISOString();
  const db: LocalDatabase = openLocalDatabase(options.file);
  const machineId = options.machineId;
  let events: SourceEvents | null = null;
  let watcher: DataWatcher | null = null;
  let closed = false;
  /** Commands this process marked running and has not finished: watched for foreign cancels. */
  const owned = new Set<string>();

  const byId = db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE id = ?');
  const columnNames = (db.pragma('table_info(commands)') as { name: string }[]).map((column) => `"${column.name.replace(/"/g, '""')}"`);
  // substr, not LIKE: ids may contain "_", which LIKE reads as a wildcard, and LIKE ignores case.
  const byIdPrefix = db.prepare<[number, string, number], { id: string }>(
    'SELECT id FROM commands WHERE substr(id, 1, ?) = ? ORDER BY created_at DESC LIMIT ?',
  );
  const pendingCandidates = db.prepare<[number], CommandRow>(
    `SELECT * FROM commands WHERE status = 'pending' ORDER BY created_at ASC, rowid ASC LIMIT ?`,
  );
  const claim = db.prepare<[string, string, string], CommandRow>(
    `UPDATE commands SET status = 'claimed', claimed_by_machine_id = ?, claimed_at = ?
     WHERE id = ? AND status = 'pending' RETURNING *`,
  );

  /** A guarded status write: only from a status the state machine allows, only on our own rows. */
  const transition = (id: string, to: CommandStatus, sets: Record<string, unknown>, mineOnly: boolean): boolean => {
    const from = allowedPredecessors(to);
    const columns = Object.keys(sets);
    const assignments = ['status = @to', ...columns.map((c) => `${c} = @${c}`)].join(', ');
    const owner = mineOnly ? ' AND claimed_by_machine_id = @machine' : '';
    const sql = `UPDATE commands SET ${assignments} WHERE id = @id AND status IN (${from.map((s) => `'${s}'`).join(', ')})${owner}`;
    return db.prepare(sql).run({ ...sets, to, id, machine: machineId }).changes > 0;
  };

  const failClaimed = (id: string, reason: string): boolean =>
    transition(id, 'failed', { error_message: reason, completed_at: now() }, true);

  const claimTx = db.transaction((check: PreClaimCheck): Command | null => {
    for (const row of pendingCandidates.all(CANDIDATE_LIMIT)) {
      // Only this machine serves the local queue: a row that cannot even be checked is failed, not retried forever.
      const ours = row.target_machine_id == null || row.target_machine_id === machineId;
      let decision: PreClaimDecision;
      try {
        decision = guardedCheck(check, rowToCommand(row), ours);
      } catch (error) {
        decision = uncheckedDecision(error, ours);
      }
      if (!decision.ok && !decision.claimAndFail) continue;
      // The id is bound as the row holds it (even a BLOB), so a row that cannot be read is still failed.
      const rowId = row.id as string;
      const won = claim.get(machineId, now(), rowId);
      if (!won) continue;
      if (decision.ok) return rowToCommand(won);
      // Ours to serve but not runnable here: fail it with the reason rather than leave it pending forever.
      failClaimed(rowId, decision.reason);
    }
    return null;
  });

  /** Our commands awaiting approval whose approval_status a person set (`beacon approve` in another process). */
  const decidedApprovals = db.prepare<[string], { id: string }>(
    `SELECT id FROM commands WHERE claimed_by_machine_id = ? AND status = 'awaiting_approval' AND approval_status IN ('approved', 'rejected')`,
  );

  const checkForeignApprovals = (): void => {
    if (!events) return;
    for (const row of decidedApprovals.all(machineId)) events.onCommandChanged(row.id);
  };

  const checkForeignCancels = (): void => {
    if (!events || owned.size === 0) return;
    const ids = [...owned];
    const rows = db
      .prepare<string[], { id: string }>(`SELECT id FROM commands WHERE status = 'cancelled' AND id IN (${ids.map(() => '?').join(', ')})`)
      .all(...ids);
    for (const row of rows) events.onCancelled(row.id);
  };

  const status = (): SourceStatus => ({ kind: 'local', connection: closed ? 'offline' : 'connected', detail: null, pendingWrites: 0 });

  return {
    kind: 'local',

    async start(_identity: ClaimantIdentity, sourceEvents: SourceEvents): Promise<void> {
      events = sourceEvents;
      watcher = watchForeignWrites(db, options.watchIntervalMs ?? 100, () => {
        checkForeignCancels();
        checkForeignApprovals();
        events?.onWake('local queue changed');
      });
      events.onStatus(status());
      events.onWake('start');
    },

    async stop(): Promise<void> {
      watcher?.stop();
      watcher = null;
      events = null;
      if (!closed) {
        closed = true;
        db.close();
      }
    },

    status,

    async claimNext(check: PreClaimCheck): Promise<Command | null> {
      return claimTx.immediate(check);
    },

    async markRunning(commandId: string, startedAt: string): Promise<boolean> {
      const ok = transition(commandId, 'running', { started_at: startedAt }, true);
      if (ok) owned.add(commandId);
      return ok;
    },

    appendOutput(_commandId: string, _chunk: OutputChunk): void {
      // The log file under logs/ holds the output; the outcome keeps the tail.
    },

    async finish(commandId: string, outcome: CommandOutcome): Promise<boolean> {
      owned.delete(commandId);
      return transition(
        commandId,
        outcome.status,
        {
          exit_code: outcome.exitCode,
          error_message: outcome.errorMessage,
          summary: outcome.summary ? JSON.stringify(outcome.summary) : null,
          stdout_tail: outcome.stdoutTail,
          stdout_truncated: outcome.stdoutTruncated ? 1 : 0,
          stderr: outcome.stderr,
          stderr_truncated: outcome.stderrTruncated ? 1 : 0,
          started_at: outcome.startedAt,
          completed_at: outcome.completedAt,
        },
        true,
      );
    },

    async markAwaitingApproval(commandId: string): Promise<boolean> {
      // The run is over: no longer watched for cancels of a running process (the approval gate reads the row).
      owned.delete(commandId);
      return transition(commandId, 'awaiting_approval', { approval_status: 'pending' }, true);
    },

    async markApproved(commandId: string): Promise<boolean> {
      return transition(commandId, 'approved', {}, true);
    },

    async setApprovalStatus(commandId: string, decision: 'approved' | 'rejected'): Promise<boolean> {
      const changed =
        db
          // The first decision wins (see the Supabase query of the same name).
          .prepare(`UPDATE commands SET approval_status = ? WHERE id = ? AND status = 'awaiting_approval' AND (approval_status IS NULL OR approval_status = 'pending')`)
          .run(decision, commandId).changes > 0;
      if (changed) events?.onCommandChanged(commandId);
      return changed;
    },

    async listMachines(): Promise<[]> {
      return []; // the local queue has no machine registry; the fleet is the lock holder
    },

    async isCancelled(commandId: string): Promise<boolean> {
      return byId.get(commandId)?.status === 'cancelled';
    },

    async recoverOrphans(): Promise<OrphanRecovery> {
      const recover = db.transaction((): OrphanRecovery => {
        // awaiting_approval / approved rows belong to the approval gate, which resumes them from its records.
        const rows = db
          .prepare<[string], { id: string; status: string }>(
            `SELECT id, status FROM commands WHERE claimed_by_machine_id = ? AND status IN ('claimed', 'running') ORDER BY created_at`,
          )
          .all(machineId);
        const result: OrphanRecovery = { failed: [], requeued: [] };
        for (const row of rows) {
          if (row.status === 'claimed') {
            // Claimed but provably never started: markRunning happens before any spawn.
            const ok = transition(row.id, 'pending', { claimed_by_machine_id: null, claimed_at: null }, true);
            if (ok) result.requeued.push(row.id);
          } else if (transition(row.id, 'failed', { error_message: 'executor restarted', completed_at: now() }, true)) {
            result.failed.push(row.id);
          }
        }
        return result;
      });
      return recover.immediate();
    },

    async heartbeat(_state: HeartbeatState): Promise<void> {
      // Only this machine reads the local queue: there is nobody to tell.
    },

    async enqueue(input: NewCommand): Promise<Command> {
      const id = randomUUID();
      db.prepare(
        `INSERT INTO commands (id, workspace_id, prompt, working_directory, agent, flags, timeout_seconds, target_machine_id,
           command_type, commitment_id, with_worktree, approval_required, on_approve, status, created_at)
         VALUES (@id, @workspace_id, @prompt, @working_directory, @agent, @flags, @timeout_seconds, @target_machine_id,
           @command_type, @commitment_id, @with_worktree, @approval_required, @on_approve, 'pending', @created_at)`,
      ).run({
        id,
        workspace_id: input.workspaceId ?? null,
        prompt: input.prompt,
        working_directory: input.workingDirectory,
        agent: input.agent ?? options.defaultAgent,
        flags: JSON.stringify(input.flags ?? []),
        timeout_seconds: input.timeoutSeconds ?? null,
        target_machine_id: input.targetMachineId ?? null,
        command_type: input.commandType ?? null,
        commitment_id: input.commitmentId ?? null,
        with_worktree: input.withWorktree ? 1 : 0,
        approval_required: input.approvalRequired ? 1 : 0,
        on_approve: input.onApprove ?? null,
        created_at: now(),
      });
      events?.onWake('enqueued');
      const row = byId.get(id);
      if (!row) throw new Error(`The local queue lost command ${id} right after inserting it`);
      return rowToCommand(row);
    },

    async requestCancel(commandId: string): Promise<boolean> {
      const ok = transition(commandId, 'cancelled', { completed_at: now(), error_message: 'cancelled by user' }, false);
      if (ok && owned.has(commandId)) events?.onCancelled(commandId);
      if (ok) events?.onCommandChanged(commandId);
      return ok;
    },

    async get(commandId: string): Promise<Command | null> {
      const row = byId.get(commandId);
      return row ? rowToCommand(row) : null;
    },

    async findIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
      if (!prefix) return [];
      return byIdPrefix.all(prefix.length, prefix, Math.max(1, limit)).map((row) => row.id);
    },

    async list(query: ListQuery = {}): Promise<CommandList> {
      const limit = Math.max(1, Math.min(query.limit ?? 100, 10_000));
      const statuses = query.statuses?.length ? query.statuses : null;
      const active = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');
      const where = statuses ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
      // Texts cut in SQL for views (one character past the limit, so the cut shows); the other columns as they are.
      const text = query.textLimit ? Math.max(1, Math.floor(query.textLimit)) + 1 : null;
      const columns = text
        ? columnNames
            .map((c) => (c === '"prompt"' || c === '"error_message"' ? `CASE WHEN typeof(${c}) = 'text' THEN substr(${c}, 1, ${text}) ELSE ${c} END AS ${c}` : c))
            .join(', ')
        : '*';
      // The active ones (few, by index) first, then the newest (by the created_at index): no sort of the whole history.
      const activeRows = db
        .prepare<unknown[], CommandRow>(
          `SELECT ${columns} FROM commands WHERE status IN (${active})${statuses ? ` AND status IN (${statuses.map(() => '?').join(', ')})` : ''}
           ORDER BY created_at DESC, rowid DESC LIMIT ?`,
        )
        .all(...(statuses ?? []), limit);
      const recentRows = db
        .prepare<unknown[], CommandRow>(
          `SELECT ${columns} FROM commands ${where ? `${where} AND` : 'WHERE'} status NOT IN (${active})
           ORDER BY created_at DESC, rowid DESC LIMIT ?`,
        )
        .all(...(statuses ?? []), Math.max(0, limit - activeRows.length));
      return readableCommands([...activeRows, ...recentRows].slice(0, limit), rowToCommand, (row) => row.id);
    },
  };
}
