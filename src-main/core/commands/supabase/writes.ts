import type { SupabaseClient } from '@supabase/supabase-js';
import { allowedPredecessors } from '../command.js';
import { type CommandOutcome, type TerminalStatus } from '../../contract/command.js';
import { classifyFailure, describeFailure, isRetryable, type InsertJson, type PostgrestFailure } from './client.js';
import { jsonRowBytes } from './json-body.js';
import { resultStatusFor } from './mapping.js';
import type { ApplyResult } from './outbox.js';

/**
 * The writes the dashboard reads (docs/mentu-schema.md#writes, #dashboard), each an idempotent operation that the outbox
 * can replay. Status writes carry only status and timestamps: the doubtful columns exit_code/output/error
 * are never sent with a status (docs/mentu-schema.md#doubtful-columns); the outcome goes into the one bridge_results row.
 */

export interface SpawnLogRow {
  /** Chosen here, so a replayed batch whose first insert did commit is recognised (unique violation). */
  id: string;
  command_id: string;
  workspace_id: string | null;
  stream: 'stdout' | 'stderr';
  message: string;
  ts: string;
}

export type WriteOp =
  | { kind: 'logs'; commandId: string; rows: SpawnLogRow[] }
  | { kind: 'running'; commandId: string; startedAt: string }
  | { kind: 'finish'; commandId: string; outcome: CommandOutcome };

export interface WriteContext {
  client: SupabaseClient;
  /** For the result row: its body is serialized here in slices (json-body.ts), not by supabase-js. */
  insertJson: InsertJson;
  machineId: string;
  maxOutputBytes: number;
  /** Every failure passes through here, so the source can show its connection state. */
  onFailure: (kind: ReturnType<typeof classifyFailure>, message: string) => void;
  onSuccess: () => void;
}

type Response = { data: unknown; error: PostgrestFailure | null; status: number };

function failed<V>(ctx: WriteContext, what: string, response: Response): ApplyResult<V> {
  const error = response.error ?? { message: 'unknown error' };
  const kind = classifyFailure(response.status, error);
  const reason = `${what}: ${describeFailure(response.status, error)}`;
  ctx.onFailure(kind, reason);
  return isRetryable(kind) ? { kind: 'retry', reason } : { kind: 'drop', reason };
}

export async function applyWrite(ctx: WriteContext, op: WriteOp): Promise<ApplyResult<boolean>> {
  try {
    const result = await applyWriteUnsafe(ctx, op);
    if (result.kind === 'done') ctx.onSuccess();
    return result;
  } catch (error) {
    // supabase-js resolves with {error} for HTTP and network failures; anything thrown is unexpected.
    const reason = `${op.kind}: ${(error as Error).message}`;
    ctx.onFailure('network', reason);
    return { kind: 'retry', reason };
  }
}

async function applyWriteUnsafe(ctx: WriteContext, op: WriteOp): Promise<ApplyResult<boolean>> {
  switch (op.kind) {
    case 'logs':
      return insertLogs(ctx, op.rows);
    case 'running':
      return markRunning(ctx, op.commandId, op.startedAt);
    case 'finish':
      return finish(ctx, op.commandId, op.outcome);
  }
}

async function insertLogs(ctx: WriteContext, rows: SpawnLogRow[]): Promise<ApplyResult<boolean>> {
  const response = await ctx.client.from('spawn_logs').insert(rows);
  if (!response.error) return { kind: 'done', value: true };
  // The batch is one statement: a duplicate id means an earlier attempt committed all of it.
  if (response.error.code === '23505') return { kind: 'done', value: true };
  return failed(ctx, 'spawn_logs insert', response);
}

async function markRunning(ctx: WriteContext, commandId: string, startedAt: string): Promise<ApplyResult<boolean>> {
  const response = await ctx.client
    .from('bridge_commands')
    .update({ status: 'running', started_at: startedAt })
    .eq('id', commandId)
    .eq('status', 'claimed')
    .eq('claimed_by_machine_id', ctx.machineId)
    .select('id');
  if (response.error) return failed(ctx, 'mark running', response);
  return { kind: 'done', value: (response.data ?? []).length === 1 };
}

/**
 * Terminal status guarded by the statuses it may follow, then exactly one result row. When the guard
 * matches nothing, the row is read: the same status means our own earlier attempt (or, for cancelled,
 * the user's cancel that ended this run) and the result row is still due; anything else means the
 * user's decision stands and nothing more is written.
 */
async function finish(ctx: WriteContext, commandId: string, outcome: CommandOutcome): Promise<ApplyResult<boolean>> {
  const guard = guardedFinishStatuses(outcome.status);
  const update = await ctx.client
    .from('bridge_commands')
    .update({ status: outcome.status, completed_at: outcome.completedAt })
    .eq('id', commandId)
    .in('status', guard)
    .eq('claimed_by_machine_id', ctx.machineId)
    .select('id');
  if (update.error) return failed(ctx, 'finish status', update);
  if ((update.data ?? []).length !== 1) {
    const current = await ctx.client.from('bridge_commands').select('status').eq('id', commandId).maybeSingle();
    if (current.error) return failed(ctx, 'finish status check', current);
    const status = (current.data as { status?: string } | null)?.status;
    if (status !== outcome.status) return { kind: 'done', value: false };
  }
  const existing = await ctx.client.from('bridge_results').select('id').eq('command_id', commandId).limit(1);
  if (existing.error) return failed(ctx, 'result row check', existing);
  if ((existing.data ?? []).length === 0) {
    const insert = await ctx.insertJson('bridge_results', jsonRowBytes(resultRow(ctx, commandId, outcome)));
    if (insert.error) return failed(ctx, 'result row insert', insert);
  }
  return storeRunSummary(ctx, commandId, outcome);
}

/**
 * The run summary (session, model, cost, tokens, denials) in bridge_commands.result under Beacon's own key, so
 * `beacon show`, the views and a follow-up (which needs the session id) have it after a restart and on other
 * machines. bridge_results has no place for it. A project without the `result` column (Beacon's migration adds
 * it) simply keeps no summary: that must not hold up the finish, which is done by then.
 */
async function storeRunSummary(ctx: WriteContext, commandId: string, outcome: CommandOutcome): Promise<ApplyResult<boolean>> {
  if (!outcome.summary) return { kind: 'done', value: true };
  const update = await ctx.client
    .from('bridge_commands')
    .update({ result: { exit_code: outcome.exitCode, error_message: outcome.errorMessage, run_summary: outcome.summary } })
    .eq('id', commandId)
    .eq('claimed_by_machine_id', ctx.machineId);
  if (update.error?.code === 'PGRST204') return { kind: 'done', value: true };
  if (update.error) return failed(ctx, 'run summary', update);
  return { kind: 'done', value: true };
}

export function guardedFinishStatuses(status: TerminalStatus): string[] {
  // pending is a predecessor of cancelled only for a user's cancel; an executor never finishes a pending row.
  return allowedPredecessors(status).filter((from) => from !== 'pending');
}

export function tailBounded(text: string, maxBytes: number, alreadyTruncated: boolean): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, truncated: alreadyTruncated };
  const bytes = Buffer.from(text);
  // Skip UTF-8 continuation bytes so the tail starts on a character boundary.
  let start = bytes.length - maxBytes;
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return { text: bytes.subarray(start).toString('utf8'), truncated: true };
}

export function resultRow(ctx: Pick<WriteContext, 'machineId' | 'maxOutputBytes'>, commandId: string, outcome: CommandOutcome): Record<string, unknown> {
  const stdout = tailBounded(outcome.stdoutTail, ctx.maxOutputBytes, outcome.stdoutTruncated);
  const stderr = tailBounded(outcome.stderr, ctx.maxOutputBytes, outcome.stderrTruncated);
  return {
    command_id: commandId,
    machine_id: ctx.machineId,
    status: resultStatusFor(outcome.status),
    exit_code: outcome.exitCode,
    stdout: stdout.text,
    stderr: stderr.text,
    stdout_truncated: stdout.truncated,
    stderr_truncated: stderr.truncated,
    error_message: outcome.errorMessage,
    // started_at is NOT NULL in Mentu; a command that never started began and ended at once.
    started_at: outcome.startedAt ?? outcome.completedAt,
    completed_at: outcome.completedAt,
  };
}

/** The outcome of a command that ends failed without a run of its own (claimed and failed, orphans). */
export function failedOutcome(reason: string, startedAt: string | null, completedAt: string, stderr = reason): CommandOutcome {
  return { status: 'failed', exitCode: null, errorMessage: reason, summary: null, stdoutTail: '', stdoutTruncated: false, stderr, stderrTruncated: false, startedAt, completedAt };
}
