import { COMMAND_STATUSES, TERMINAL_STATUSES, type CommandStatus, type TerminalStatus } from '../contract/command.js';

/**
 * The command state machine: the only allowed transitions between a command's statuses (the Mentu
 * lifecycle). The command's shape and its statuses are data shared with every shell: contract/command.ts.
 */

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

