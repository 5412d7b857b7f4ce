import { isCommandStatus } from '../command.js';
import { type Command, type NewCommand } from '../../contract/command.js';

/**
 * bridge_commands rows ↔ the core's Command. Mentu's rows are loose (flags may be null, several columns
 * may be missing on older projects), so every field is read defensively (docs/mentu-schema.md#bridge-commands).
 */

export type Row = Record<string, unknown>;

/** The columns Beacon reads; `*` is used so that missing optional columns never fail the select. */
export const COMMAND_SELECT = '*';

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : null;

export function rowToCommand(row: Row): Command {
  const id = str(row.id);
  if (!id) throw new Error('bridge_commands row without an id');
  const status = isCommandStatus(row.status) ? row.status : 'pending';
  const flags = Array.isArray(row.flags) ? row.flags.filter((flag): flag is string => typeof flag === 'string') : [];
  const result = row.result && typeof row.result === 'object' ? (row.result as Row) : null;
  return {
    id,
    workspaceId: str(row.workspace_id),
    prompt: str(row.prompt) ?? '',
    workingDirectory: str(row.working_directory) ?? '',
    agent: str(row.agent) ?? 'claude',
    flags,
    timeoutSeconds: num(row.timeout_seconds),
    targetMachineId: str(row.target_machine_id),
    commandType: str(row.command_type),
    commitmentId: str(row.commitment_id),
    withWorktree: row.with_worktree === true,
    approvalRequired: row.approval_required === true,
    onApprove: str(row.on_approve),
    approvalStatus: str(row.approval_status),
    status,
    createdAt: str(row.created_at) ?? new Date(0).toISOString(),
    claimedAt: str(row.claimed_at),
    startedAt: str(row.started_at),
    completedAt: str(row.completed_at),
    claimedByMachineId: str(row.claimed_by_machine_id),
    exitCode: num(row.exit_code) ?? (result ? num(result.exit_code) : null),
    errorMessage: str(row.error) ?? (result ? str(result.error_message) : null),
    summary: null,
  };
}

/**
 * The INSERT body of `enqueue`. Optional Mentu columns are only sent when set, so a project whose table
 * lacks one of them still accepts ordinary commands (PostgREST rejects unknown columns, PGRST204).
 */
export function newCommandToRow(input: NewCommand, workspaceId: string, defaultAgent: string): Row {
  const row: Row = {
    workspace_id: workspaceId,
    prompt: input.prompt,
    working_directory: input.workingDirectory,
    agent: input.agent ?? defaultAgent,
    flags: input.flags ?? [],
    status: 'pending',
  };
  if (input.timeoutSeconds != null) row.timeout_seconds = input.timeoutSeconds;
  if (input.targetMachineId) row.target_machine_id = input.targetMachineId;
  if (input.commandType) row.command_type = input.commandType;
  if (input.commitmentId) row.commitment_id = input.commitmentId;
  if (input.withWorktree !== undefined) row.with_worktree = input.withWorktree;
  if (input.approvalRequired !== undefined) row.approval_required = input.approvalRequired;
  if (input.onApprove) row.on_approve = input.onApprove;
  return row;
}

/** bridge_results.status: Mentu says `success`, not `completed` (docs/mentu-schema.md#bridge-results). */
export function resultStatusFor(status: 'completed' | 'failed' | 'timeout' | 'cancelled'): string {
  return status === 'completed' ? 'success' : status;
}
