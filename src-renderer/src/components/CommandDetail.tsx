import type { CommandView } from '../../../src-main/core/contract/types.js';
import { canCancel, canRequeue, commandTiming, formatDuration, formatWhen } from '../format.js';
import { ApprovalActions, type ApprovalDecision } from './ApprovalActions.js';
import { LongText } from './LongText.js';
import { StatusBadge } from './StatusBadge.js';

interface CommandDetailProps {
  command: CommandView;
  now: number;
  busy: boolean;
  onCancel(): void;
  onRequeue(): void;
  /** The approval gate's decision for this command; absent when the connected Beacon does not offer it. */
  decideApproval?(decision: ApprovalDecision): Promise<{ ok: boolean; message: string }>;
  onApprovalDecided(message: string): void;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children ?? '—'}</dd>
    </div>
  );
}

export function CommandDetail({ command, now, busy, onCancel, onRequeue, decideApproval, onApprovalDecided }: CommandDetailProps) {
  const summary = command.summary;
  const timing = commandTiming(command, now);
  const error = command.errorMessage ?? summary?.errorText ?? null;
  return (
    <section className="detail" aria-label="Command details" data-testid="command-detail">
      <div className="detail-head">
        <StatusBadge status={command.status} />
        <code className="small detail-id" title={`Command id ${command.id}`}>
          {command.id}
        </code>
        <span className="spacer" />
        {canCancel(command.status) && (
          <button type="button" className="danger" disabled={busy} onClick={onCancel} data-testid="cancel-button">
            Cancel…
          </button>
        )}
        {canRequeue(command.status) && (
          <button type="button" disabled={busy} onClick={onRequeue} data-testid="requeue-button">
            Re-queue…
          </button>
        )}
      </div>
      {command.status === 'awaiting_approval' && decideApproval && (
        // Keyed by id: a half-finished confirmation or an old error never carries over to another command.
        <ApprovalActions key={command.id} command={command} disabled={busy} decide={decideApproval} onDecided={onApprovalDecided} />
      )}
      {error && <LongText text={error} className="error-box" testId="command-error" />}
      <details className="prompt-box" open={command.prompt.length < 400}>
        <summary>Prompt</summary>
        <pre className="prompt">{command.prompt}</pre>
      </details>
      <dl className="fields">
        <div className="field field-wide">
          <dt>Directory</dt>
          <dd className="wrap" data-testid="detail-directory">
            <code>{command.workingDirectory}</code>
          </dd>
        </div>
        <Field label="Agent">{command.agent}</Field>
        <Field label="Target">{command.targetMachineId ?? 'any machine'}</Field>
        <Field label="Exit code">{command.exitCode === null ? null : <span data-testid="detail-exit-code">{command.exitCode}</span>}</Field>
        <Field label={timing.label === 'took' ? 'Total time' : timing.label === 'running' ? 'Elapsed' : 'Waiting'}>
          {timing.ms === null ? null : formatDuration(timing.ms)}
        </Field>
        <Field label="Created">{formatWhen(command.createdAt)}</Field>
        <Field label="Session">{summary?.sessionId ? <code>{summary.sessionId}</code> : null}</Field>
        <Field label="Model">{summary?.model}</Field>
        <Field label="Tool calls">
          {summary && summary.toolUses.length > 0 ? `${summary.toolUses.length} (${[...new Set(summary.toolUses.map((t) => t.name))].join(', ')})` : summary ? '0' : null}
        </Field>
        <Field label="Cost">{summary?.costUsd == null ? null : `$${summary.costUsd.toFixed(4)}`}</Field>
        <Field label="Turns">{summary?.numTurns ?? null}</Field>
        <Field label="Agent duration">{summary?.durationMs == null ? null : formatDuration(summary.durationMs)}</Field>
        {command.commitmentId && <Field label="Commitment">{command.commitmentId}</Field>}
      </dl>
      {summary?.resultText && (
        <details className="prompt-box">
          <summary>Result</summary>
          <pre className="prompt">{summary.resultText}</pre>
        </details>
      )}
    </section>
  );
}
