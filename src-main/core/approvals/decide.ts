import type { CommandSource } from '../commands/source.js';

/** `beacon approve|reject` and the executor's decideApproval: one place that sets approval_status and says what happened. */
export type ApprovalDecision = 'approved' | 'rejected';

export async function setApproval(source: CommandSource, commandId: string, decision: ApprovalDecision): Promise<{ ok: boolean; message: string }> {
  if (!source.setApprovalStatus) return { ok: false, message: `The ${source.kind} command source cannot record approvals` };
  if (await source.setApprovalStatus(commandId, decision)) {
    return { ok: true, message: decision === 'approved' ? `Approved ${commandId}` : `Rejected ${commandId}` };
  }
  const command = await source.get(commandId);
  if (!command) return { ok: false, message: `No command ${commandId}` };
  if (command.status === 'awaiting_approval' && (command.approvalStatus === 'approved' || command.approvalStatus === 'rejected')) {
    return { ok: false, message: `Command ${commandId} was already ${command.approvalStatus}; the first decision stands` };
  }
  return { ok: false, message: `Command ${commandId} is ${command.status}, not awaiting approval` };
}
