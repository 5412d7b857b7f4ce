import { isCommandStatus } from '../command.js';
import { type Command } from '../../contract/command.js';
import { type RunSummary } from '../../contract/run-summary.js';

/** One row of the `commands` table, as better-sqlite3 returns it. */
export interface CommandRow {
  id: string;
  workspace_id: string | null;
  prompt: string;
  working_directory: string;
  agent: string;
  flags: string;
  timeout_seconds: number | null;
  target_machine_id: string | null;
  command_type: string | null;
  commitment_id: string | null;
  with_worktree: number;
  approval_required: number;
  on_approve: string | null;
  approval_status: string | null;
  status: string;
  created_at: string;
  claimed_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  claimed_by_machine_id: string | null;
  exit_code: number | null;
  error_message: string | null;
  summary: string | null;
}

export function rowToCommand(row: CommandRow): Command {
  if (!isCommandStatus(row.status)) throw new Error(`Command ${row.id} has an unknown status ${JSON.stringify(row.status)} in the local queue`);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    prompt: row.prompt,
    workingDirectory: row.working_directory,
    agent: row.agent,
    flags: stringArray(parseJson<unknown>(row.flags)),
    timeoutSeconds: row.timeout_seconds,
    targetMachineId: row.target_machine_id,
    commandType: row.command_type,
    commitmentId: row.commitment_id,
    withWorktree: row.with_worktree === 1,
    approvalRequired: row.approval_required === 1,
    onApprove: row.on_approve,
    approvalStatus: row.approval_status,
    status: row.status,
    createdAt: row.created_at,
    claimedAt: row.claimed_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    claimedByMachineId: row.claimed_by_machine_id,
    exitCode: row.exit_code,
    errorMessage: row.error_message,
    summary: parseJson<RunSummary>(row.summary),
  };
}

/** Another process may have written anything into the column: only an array's strings are flags. */
function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((flag): flag is string => typeof flag === 'string') : [];
}

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
