import { useState } from 'react';
import type { CommandView } from '../../../src-main/core/contract/types.js';
import { errorMessage, firstLine } from '../format.js';
import { ConfirmDialog } from './ConfirmDialog.js';

export type ApprovalDecision = 'approved' | 'rejected';

interface ApprovalActionsProps {
  /** A command in awaiting_approval. */
  command: CommandView;
  /** Another action of the page is running. */
  disabled: boolean;
  decide(decision: ApprovalDecision): Promise<{ ok: boolean; message: string }>;
  onDecided(message: string): void;
}

/**
 * The approval gate as a state machine: idle (with the last failure, if any) → confirming → sending →
 * decided (until the snapshot moves the command on) or back to idle with the reason it failed.
 */
type Step =
  | { kind: 'idle'; error: string | null }
  | { kind: 'confirming'; decision: ApprovalDecision }
  | { kind: 'sending'; decision: ApprovalDecision }
  | { kind: 'decided'; message: string };

const LABELS: Record<ApprovalDecision, string> = { approved: 'Approve', rejected: 'Reject' };
const IN_PROGRESS: Record<ApprovalDecision, string> = { approved: 'Approving…', rejected: 'Rejecting…' };

function confirmText(command: CommandView, decision: ApprovalDecision): { title: string; body: string } {
  const what = `“${firstLine(command.prompt, 80)}”`;
  if (decision === 'rejected') {
    return { title: 'Reject this command?', body: `${what} ends failed (“Command rejected by user”); its on_approve command does not run.` };
  }
  const body =
    typeof command.onApprove === 'string'
      ? `${what} is approved, then Beacon runs this on_approve command in ${command.workingDirectory}; its exit code becomes the command's result:`
      : command.onApprove === null
        ? `${what} is approved and completes with the agent's own result (it has no on_approve command).`
        : `${what} is approved; Beacon then runs its on_approve command, if it has one, in ${command.workingDirectory}.`;
  return { title: 'Approve this command?', body };
}

export function ApprovalActions({ command, disabled, decide, onDecided }: ApprovalActionsProps) {
  const [step, setStep] = useState<Step>({ kind: 'idle', error: null });

  const send = async (decision: ApprovalDecision): Promise<void> => {
    setStep({ kind: 'sending', decision });
    try {
      const result = await decide(decision);
      if (!result.ok) {
        setStep({ kind: 'idle', error: result.message });
        return;
      }
      setStep({ kind: 'decided', message: result.message });
      onDecided(result.message);
    } catch (error) {
      setStep({ kind: 'idle', error: `${LABELS[decision]} failed: ${errorMessage(error)}` });
    }
  };

  const locked = disabled || step.kind === 'sending' || step.kind === 'decided';
  const button = (decision: ApprovalDecision) => (
    <button
      type="button"
      className={decision === 'approved' ? 'primary' : 'danger'}
      disabled={locked}
      aria-busy={step.kind === 'sending' && step.decision === decision ? true : undefined}
      onClick={() => setStep({ kind: 'confirming', decision })}
      data-testid={decision === 'approved' ? 'approve-button' : 'reject-button'}
    >
      {step.kind === 'sending' && step.decision === decision ? IN_PROGRESS[decision] : `${LABELS[decision]}…`}
    </button>
  );

  return (
    <div className="approval-box" role="group" aria-label="Approval" data-testid="approval-actions" data-step={step.kind}>
      <p className="approval-text">
        {step.kind === 'decided' ? step.message : 'The agent finished. This command waits for your approval before it completes.'}
      </p>
      {typeof command.onApprove === 'string' && (
        <p className="small muted">
          On approval runs <code data-testid="approval-on-approve">{firstLine(command.onApprove, 160)}</code>
        </p>
      )}
      <div className="dialog-actions">
        {button('rejected')}
        {button('approved')}
      </div>
      {step.kind === 'idle' && step.error && (
        <p className="error-box" role="alert" data-testid="approval-error">
          {step.error}
        </p>
      )}
      {step.kind === 'confirming' && (
        <ConfirmDialog
          {...confirmText(command, step.decision)}
          detail={typeof command.onApprove === 'string' ? <pre className="prompt" data-testid="confirm-on-approve">{command.onApprove}</pre> : undefined}
          confirmLabel={LABELS[step.decision]}
          cancelLabel="Not now"
          danger={step.decision === 'rejected'}
          onCancel={() => setStep({ kind: 'idle', error: null })}
          onConfirm={() => void send(step.decision)}
        />
      )}
    </div>
  );
}
