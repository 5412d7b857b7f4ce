import type { SupabaseClient } from '@supabase/supabase-js';
import { ACTIVE_STATUSES, type Command, type NewCommand } from '../../contract/command.js';
import { allowedPredecessors } from '../command.js';
import { readableCommands } from '../row-fields.js';
import type { CommandList, ListQuery } from '../source.js';
import { unwrap } from './client.js';
import { newCommandToRow, rowToCommand, type Row } from './mapping.js';

/**
 * The direct reads and user-facing writes of bridge_commands (enqueue, cancel, get, list, guarded status
 * changes). Unlike run output they are not queued in the outbox: the caller is waiting for the answer,
 * and an error is shown to it.
 */

export interface QueryContext {
  client: SupabaseClient;
  machineId: string;
  workspaceIds: string[];
}

export async function enqueueCommand(ctx: QueryContext, input: NewCommand, workspaceId: string | null): Promise<Command> {
  if (!workspaceId) throw new Error('No Mentu workspace to queue the command in: set supabase.workspace_ids in beacon.yaml.');
  const response = await ctx.client.from('bridge_commands').insert(newCommandToRow(input, workspaceId, 'claude')).select('*').single();
  return rowToCommand(unwrap('queue command', response) as Row);
}

/** Cancelled from any status that may become cancelled; true if this call changed the row. */
export async function cancelCommand(ctx: QueryContext, commandId: string, now: Date): Promise<boolean> {
  const response = await ctx.client
    .from('bridge_commands')
    .update({ status: 'cancelled', completed_at: now.toISOString() })
    .eq('id', commandId)
    .in('status', allowedPredecessors('cancelled'))
    .select('id');
  return ((unwrap('cancel command', response) ?? []) as Row[]).length === 1;
}

export async function getCommand(ctx: QueryContext, commandId: string): Promise<Command | null> {
  // bridge_commands.id is a uuid: anything else cannot be a row, and PostgREST would answer 22P02.
  if (!UUID.test(commandId)) return null;
  const response = await ctx.client.from('bridge_commands').select('*').eq('id', commandId).maybeSingle();
  const row = unwrap('read command', response) as Row | null;
  return row ? rowToCommand(row) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The uuids starting with `prefix` (hex digits, hyphens optional). A uuid column has no LIKE, but its order
 * is the order of its hex text, so a prefix is the range from the prefix padded with 0s to it padded with fs.
 */
export async function findIdsByPrefix(ctx: QueryContext, prefix: string, limit: number): Promise<string[]> {
  const hex = prefix.replace(/-/g, '').toLowerCase();
  if (!hex || hex.length > 32 || !/^[0-9a-f]+$/.test(hex) || !hyphensWhereUuidHasThem(prefix)) return [];
  const response = await ctx.client
    .from('bridge_commands')
    .select('id')
    .gte('id', asUuid(hex.padEnd(32, '0')))
    .lte('id', asUuid(hex.padEnd(32, 'f')))
    .order('id')
    .limit(Math.max(1, limit));
  return ((unwrap('find command ids', response) ?? []) as Row[]).map((row) => String(row.id));
}

const asUuid = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** "44a8bdc3-12" and "44a8bdc312" name a uuid's start; "44a8-bdc3" does not. */
function hyphensWhereUuidHasThem(prefix: string): boolean {
  if (!prefix.includes('-')) return true;
  for (let i = 0; i < prefix.length; i++) {
    if ((prefix[i] === '-') !== [8, 13, 18, 23].includes(i)) return false;
  }
  return true;
}

export async function commandStatus(ctx: QueryContext, commandId: string): Promise<string | null> {
  const response = await ctx.client.from('bridge_commands').select('status').eq('id', commandId).maybeSingle();
  return (unwrap('read command status', response) as { status?: string } | null)?.status ?? null;
}

/** Which of these commands are cancelled now (the poll backstop's check). */
export async function cancelledAmong(ctx: QueryContext, ids: string[]): Promise<string[]> {
  const response = await ctx.client.from('bridge_commands').select('id,status').in('id', ids);
  return ((unwrap('check cancellations', response) ?? []) as Row[]).filter((r) => r.status === 'cancelled').map((r) => String(r.id));
}

/** This machine's active commands (claimed, running, awaiting approval) first, then the newest in the configured workspaces. */
export async function listCommands(ctx: QueryContext, query: ListQuery): Promise<CommandList> {
  const limit = query.limit ?? 50;
  const wanted = (c: Command) => !query.statuses || query.statuses.includes(c.status);
  const active = ctx.client.from('bridge_commands').select('*').eq('claimed_by_machine_id', ctx.machineId).in('status', [...ACTIVE_STATUSES]).order('created_at', { ascending: false });
  let recent = ctx.client.from('bridge_commands').select('*').in('workspace_id', ctx.workspaceIds).order('created_at', { ascending: false }).limit(limit);
  if (query.statuses) recent = recent.in('status', query.statuses);
  const [mine, others] = await Promise.all([active, recent]);
  const mineRead = readableCommands((unwrap('list running commands', mine) ?? []) as Row[], rowToCommand, (row) => row.id);
  const othersRead = readableCommands((unwrap('list commands', others) ?? []) as Row[], rowToCommand, (row) => row.id);
  const first = mineRead.filter(wanted);
  const seen = new Set(first.map((c) => c.id));
  const rest = othersRead.filter((c) => !seen.has(c.id));
  const skippedIds = new Set<string | null>();
  const skipped = [...(mineRead.skipped ?? []), ...(othersRead.skipped ?? [])].filter((row) => !skippedIds.has(row.id) && skippedIds.add(row.id));
  return Object.assign([...first, ...rest].slice(0, limit), { skipped });
}

/** A status change of one of our rows, guarded by the status it must have now. */
export async function setOwnStatus(ctx: QueryContext, commandId: string, patch: Record<string, unknown>, from: string): Promise<boolean> {
  const response = await ctx.client.from('bridge_commands').update(patch).eq('id', commandId).eq('status', from).eq('claimed_by_machine_id', ctx.machineId).select('id');
  return ((unwrap(`set status ${String(patch.status)}`, response) ?? []) as Row[]).length === 1;
}

/**
 * A person's approval decision: approval_status, only while the command awaits approval and nobody decided yet
 * (the first decision wins; a later `beacon reject` cannot overturn an approval the executor is acting on).
 */
export async function setApprovalStatus(ctx: QueryContext, commandId: string, decision: 'approved' | 'rejected'): Promise<boolean> {
  const response = await ctx.client
    .from('bridge_commands')
    .update({ approval_status: decision })
    .eq('id', commandId)
    .eq('status', 'awaiting_approval')
    .or('approval_status.is.null,approval_status.eq.pending')
    .select('id');
  return ((unwrap(`set approval_status ${decision}`, response) ?? []) as Row[]).length === 1;
}

/** Our claimed rows that no local run holds (see SupabaseSource.releaseLostClaims). */
export async function strayClaims(ctx: QueryContext, held: (id: string) => boolean): Promise<string[]> {
  const response = await ctx.client.from('bridge_commands').select('id').eq('claimed_by_machine_id', ctx.machineId).eq('status', 'claimed');
  return ((unwrap('list claimed commands', response) ?? []) as Row[]).map((r) => String(r.id)).filter((id) => !held(id));
}

/** claimed → pending for a row that provably never started. */
export async function requeueClaimed(ctx: QueryContext, commandId: string): Promise<boolean> {
  return setOwnStatus(ctx, commandId, { status: 'pending', claimed_by_machine_id: null, claimed_at: null }, 'claimed');
}
