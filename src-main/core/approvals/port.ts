import type { CommandOutcome, CommandStatus } from '../contract/command.js';
import type { CommandSource } from '../commands/source.js';

/** What the approval gate (approval.ts) needs from a command source, and its adapter over a CommandSource. */

export interface ApprovalState {
  status: CommandStatus;
  /** bridge_commands.approval_status: not_required | pending | approved | rejected (or null). */
  approvalStatus: string | null;
}

/** What the gate needs from a command source. */
export interface ApprovalPort {
  /** The command's current status and approval_status, read fresh from the source; null when it is gone. */
  readApproval(commandId: string): Promise<ApprovalState | null>;
  /** running → awaiting_approval with approval_status 'pending'. False when the guard failed. */
  markAwaitingApproval(commandId: string): Promise<boolean>;
  /** awaiting_approval → approved. False when the guard failed (e.g. cancelled meanwhile). */
  markApproved(commandId: string): Promise<boolean>;
  /** The terminal write (CommandSource.finish). False when the command was no longer active. */
  finish(commandId: string, outcome: CommandOutcome): Promise<boolean>;
}

/** The port over a CommandSource that implements the optional approval transitions. */
export function approvalPortFromSource(source: CommandSource): ApprovalPort {
  const missing = (what: string): never => {
    throw new Error(`The ${source.kind} command source cannot ${what}, so approval_required cannot be honoured.`);
  };
  return {
    readApproval: async (id) => {
      const command = await source.get(id);
      return command ? { status: command.status, approvalStatus: command.approvalStatus } : null;
    },
    markAwaitingApproval: (id) =>
      source.markAwaitingApproval ? source.markAwaitingApproval(id) : missing('hold a command for approval'),
    markApproved: (id) => (source.markApproved ? source.markApproved(id) : missing('mark a command approved')),
    finish: (id, outcome) => source.finish(id, outcome),
  };
}

