import type { RunSummaryView } from '../api/types.js';

/**
 * A command: one prompt to run with one agent in one working directory. This file holds its shape,
 * its statuses and the only allowed transitions between them (the Mentu lifecycle, mentu-compat §2).
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

/**
 * The state machine. `cancelled` can be entered from anything not yet terminal (a user's cancel), and
 * nothing leaves a terminal status: a later write can never overwrite a user's cancel.
 * `claimed → pending` exists only for orphan recovery (claimed but provably never started).
 */
export const TRANSITIONS: Readonly<Record<CommandStatus, readonly CommandStatus[]>> = {
  pending: ['claimed', 'cancelled'],
  claimed: ['running', 'pending', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'timeout', 'cancelled', 'awaiting_approval'],
  awaiting_approval: ['approved', 'failed', 'timeout', 'cancelled'],
  approved: ['completed', 'failed', 'timeout', 'cancelled'],
  completed: [],
  failed: [],
  timeout: [],
  cancelled: [],
};

export function isCommandStatus(value: unknown): value is CommandStatus {
  return typeof value === 'string' && (COMMAND_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: CommandStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function canTransition(from: CommandStatus, to: CommandStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be entered: what a guarded write puts in its WHERE clause. */
export function allowedPredecessors(to: CommandStatus): CommandStatus[] {
  return COMMAND_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export class TransitionError extends Error {
  constructor(
    readonly commandId: string,
    readonly from: CommandStatus,
    readonly to: CommandStatus,
  ) {
    super(`Command ${commandId}: status ${from} cannot become ${to}`);
    this.name = 'TransitionError';
  }
}

/**
 * What the stream-json parser learned about a run (stored with the command, shown in the UI). The shape is
 * defined once, in the API types the renderer also reads.
 */
export type RunSummary = RunSummaryView;

export function emptyRunSummary(): RunSummary {
  return {
    sessionId: null,
    model: null,
    cliVersion: null,
    resultText: null,
    assistantText: null,
    toolUses: [],
    costUsd: null,
    durationMs: null,
    numTurns: null,
    isError: null,
    errorText: null,
    resultSubtype: null,
  };
}

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
