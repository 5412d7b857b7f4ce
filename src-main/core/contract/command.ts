import type { RunSummary } from './run-summary.js';

/**
 * A command: one prompt to run with one agent in one working directory. Its shape and its statuses, as
 * every room and shell sees them; the allowed transitions are in core/commands/command.ts.
 */

export const COMMAND_STATUSES = [
  'pending',
  'claimed',
  'running',
  'awaiting_approval',
  'approved',
  'completed',
  'failed',
  'timeout',
  'cancelled',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const TERMINAL_STATUSES = ['completed', 'failed', 'timeout', 'cancelled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** Statuses in which this executor owns a command and may still write its outcome. */
export const ACTIVE_STATUSES = ['claimed', 'running', 'awaiting_approval', 'approved'] as const;

/** A command as the core sees it, whatever its source (local queue or Mentu's bridge_commands). */
export interface Command {
  id: string;
  workspaceId: string | null;
  prompt: string;
  workingDirectory: string;
  agent: string;
  /** Extra argv appended after the agent profile's args (Mentu `flags`; null is treated as []). */
  flags: string[];
  timeoutSeconds: number | null;
  targetMachineId: string | null;
  /** Mentu `command_type`: null or 'spawn' is a normal command; 'bug_execution' belongs to the Bridge. */
  commandType: string | null;
  commitmentId: string | null;
  withWorktree: boolean;
  approvalRequired: boolean;
  onApprove: string | null;
  approvalStatus: string | null;
  status: CommandStatus;
  createdAt: string;
  claimedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  claimedByMachineId: string | null;
  exitCode: number | null;
  errorMessage: string | null;
  summary: RunSummary | null;
  /**
   * Set when a column of the row held a value of the wrong type (a BLOB for text, text for a number):
   * the fields above then hold placeholders, and the command is refused with this reason, never run.
   */
  defect?: string | null;
}

/** The input that creates a command (`beacon enqueue`, re-queue, dashboard). */
export interface NewCommand {
  prompt: string;
  workingDirectory: string;
  agent?: string;
  flags?: string[];
  timeoutSeconds?: number | null;
  targetMachineId?: string | null;
  workspaceId?: string | null;
  commandType?: string | null;
  commitmentId?: string | null;
  withWorktree?: boolean;
  approvalRequired?: boolean;
  onApprove?: string | null;
}

/** How a run ended, as recorded by `CommandSource.finish`. */
export interface CommandOutcome {
  status: TerminalStatus;
  exitCode: number | null;
  errorMessage: string | null;
  summary: RunSummary | null;
  /** Tail of the ANSI-stripped output, bounded by execution.max_output_bytes. */
  stdoutTail: string;
  stdoutTruncated: boolean;
  stderr: string;
  stderrTruncated: boolean;
  /** Real start of the run (null if it never started), and its end. ISO-8601. */
  startedAt: string | null;
  completedAt: string;
}
