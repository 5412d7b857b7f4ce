import { type Command } from '../../contract/command.js';
import { readStoredRunSummary } from '../../contract/run-summary.js';
import { RowFields } from '../row-fields.js';

/** One row of the `commands` table, as better-sqlite3 returns it: any column may hold any SQLite type. */
export type CommandRow = Record<string, unknown> & { id: unknown; status: unknown };

/**
 * A row of the local queue as a Command. Another process may have written anything (docs/reliability.md):
 * a column of the wrong type becomes `defect` and the command is refused; a row without a text id or with
 * an unknown status throws UnreadableRowError (listings skip it and say so).
 */
export function rowToCommand(row: CommandRow): Command {
  const fields = new RowFields(row);
  const id = fields.id();
  const status = fields.status(id);
  const command: Command = {
    id,
    workspaceId: fields.text('workspace_id'),
    prompt: fields.requiredText('prompt'),
    workingDirectory: fields.requiredText('working_directory'),
    agent: fields.requiredText('agent'),
    flags: fields.stringList('flags', parseFlags(fields.text('flags'))),
    timeoutSeconds: fields.number('timeout_seconds'),
    targetMachineId: fields.text('target_machine_id'),
    commandType: fields.text('command_type'),
    commitmentId: fields.text('commitment_id'),
    withWorktree: fields.flag('with_worktree', 1, 0),
    approvalRequired: fields.flag('approval_required', 1, 0),
    onApprove: fields.text('on_approve'),
    approvalStatus: fields.text('approval_status'),
    status,
    createdAt: fields.requiredText('created_at', new Date(0).toISOString()),
    claimedAt: fields.text('claimed_at'),
    startedAt: fields.text('started_at'),
    completedAt: fields.text('completed_at'),
    claimedByMachineId: fields.text('claimed_by_machine_id'),
    exitCode: fields.number('exit_code'),
    errorMessage: fields.text('error_message'),
    summary: readStoredRunSummary(fields.text('summary')),
  };
  command.defect = fields.defect;
  return command;
}

/** flags is JSON text of a list of strings ('' or null: none); text that is not JSON is a defect. */
function parseFlags(text: string | null): unknown {
  if (text === null || text.trim() === '') return [];
  try {
    return JSON.parse(text);
  } catch {
    return text; // not a list: stringList names the column
  }
}
