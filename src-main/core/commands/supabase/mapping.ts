import { type Command, type NewCommand } from '../../contract/command.js';
import { readStoredRunSummary } from '../../contract/run-summary.js';
import { RowFields } from '../row-fields.js';

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

/**
 * A row as a Command. A column of the wrong type (any JSON value can arrive) becomes the command's
 * `defect`, so it is refused with that reason rather than run with a guessed value (an empty prompt, the
 * default agent); a row without a text id or with an unknown status throws UnreadableRowError.
 */
export function rowToCommand(row: Row): Command {
  const fields = new RowFields(row);
  const id = fields.id();
  const status = fields.status(id);
  const result = row.result && typeof row.result === 'object' ? (row.result as Row) : null;
  const agent = fields.text('agent');
  const command: Command = {
    id,
    workspaceId: fields.text('workspace_id'),
    prompt: fields.requiredText('prompt'),
    workingDirectory: fields.requiredText('working_directory'),
    agent: agent ?? 'claude',
    flags: fields.stringList('flags', row.flags),
    timeoutSeconds: fields.number('timeout_seconds', true),
    targetMachineId: fields.text('target_machine_id'),
    commandType: fields.text('command_type'),
    commitmentId: fields.text('commitment_id'),
    withWorktree: fields.flag('with_worktree', true, false),
    approvalRequired: fields.flag('approval_required', true, false),
    onApprove: fields.text('on_approve'),
    approvalStatus: fields.text('approval_status'),
    status,
    createdAt: fields.text('created_at') ?? new Date(0).toISOString(),
    claimedAt: fields.text('claimed_at'),
    startedAt: fields.text('started_at'),
    completedAt: fields.text('completed_at'),
    claimedByMachineId: fields.text('claimed_by_machine_id'),
    exitCode: num(row.exit_code) ?? (result ? num(result.exit_code) : null),
    errorMessage: str(row.error) ?? (result ? str(result.error_message) : null),
    // Beacon's own key in the result jsonb (writes.ts, storeRunSummary); other executors' results have none.
    summary: result ? readStoredRunSummary(result.run_summary) : null,
  };
  command.defect = fields.defect;
  return command;
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
