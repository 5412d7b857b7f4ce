import { useState } from 'react';
import { describeExitCode } from '../../../src-main/core/contract/exit-code.js';
import type { CommandText, CommandView } from '../../../src-main/core/contract/types.js';
import { canCancel, canRequeue, commandTiming, formatDuration, formatWhen } from '../format.js';
import { ApprovalActions, type ApprovalDecision } from './ApprovalActions.js';
import { FollowUpForm } from './FollowUpForm.js';
import { LongText } from './LongText.js';
import { StatusBadge } from './StatusBadge.js';

interface CommandDetailProps {
  command: CommandView;
  now: number;
  busy: boolean;
  onCancel(): void;
  onRequeue(): void;
  /** Queue a follow-up of this finished command; absent when the connected Beacon does not offer it. */
  onFollowUp?(prompt: string): Promise<void>;
  /** The approval gate's decision for this command; absent when the connected Beacon does not offer it. */
  decideApproval?(decision: ApprovalDecision): Promise<{ ok: boolean; message: string }>;
  onApprovalDecided(message: string): void;
  /** The whole prompt and error, which a view carries only in part (issue 15, point 4). */
  readCommandText?(): Promise<CommandText>;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children ?? '—'}</dd>
    </div>
  );
}

export function CommandDetail({ command, now, busy, onCancel, onRequeue, onFollowUp, decideApproval, onApprovalDecided, readCommandText }: CommandDetailProps) {
  const summary = command.summary;
  const [followingUp, setFollowingUp] = useState<string | null>(null);
  // A follow-up resumes the agent's session: only a finished run that reported one can be continued.
  const canFollowUp = !!onFollowUp && canRequeue(command.status) && !!summary?.sessionId;
  const timing = commandTiming(command, now);
  // Kept with its id and used only for that command: a reply that lands after another command was chosen is ignored.
  const [fetched, setFetched] = useState<CommandText | null>(null);
  const whole = fetched?.commandId === command.id ? fetched : null;
  const prompt = whole?.prompt ?? command.prompt;
  const error = (whole ? whole.errorMessage : command.errorMessage) ?? summary?.errorText ?? null;
  const cut = !whole && (command.promptTruncated || command.errorTruncated);
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
        {canFollowUp && (
          <button type="button" disabled={busy} onClick={() => setFollowingUp(command.id)} data-testid="follow-up-button">
            Follow up…
          </button>
        )}
      </div>
      {canFollowUp && followingUp === command.id && <FollowUpForm busy={busy} onSend={onFollowUp!} onClose={() => setFollowingUp(null)} />}
      {command.status === 'awaiting_approval' && decideApproval && (
        // Keyed by id: a half-finished confirmation or an old error never carries over to another command.
        <ApprovalActions key={command.id} command={command} disabled={busy} decide={decideApproval} onDecided={onApprovalDecided} />
      )}
      {error && <LongText text={error} className="error-box" testId="command-error" />}
      <details className="prompt-box" open={prompt.length < 400}>
        <summary>Prompt</summary>
        <pre className="prompt">{prompt}</pre>
      </details>
      {cut && readCommandText && (
        <button type="button" className="link" data-testid="show-whole-text" onClick={() => void readCommandText().then(setFetched, () => {})}>
          Show the whole {command.promptTruncated ? 'prompt' : 'error'}
        </button>
      )}
      <dl className="fields">
        <div className="field field-wide">
          <dt>Directory</dt>
          <dd className="wrap" data-testid="detail-directory">
            <code>{command.workingDirectory}</code>
          </dd>
        </div>
        <Field label="Agent">{command.agent}</Field>
        <Field label="Target">{command.targetMachineId ?? 'any machine'}</Field>
        <Field label="Exit code">{command.exitCode === null ? null : <span data-testid="detail-exit-code">{describeExitCode(command.exitCode, command.status)}</span>}</Field>
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
        <Field label="Tokens">{summary?.inputTokens == null ? null : `${summary.inputTokens} in, ${summary.outputTokens ?? 0} out`}</Field>
        <Field label="CLI version">{summary?.cliVersion ?? null}</Field>
        <Field label="Refused tool uses">
          {summary?.permissionDenialCount ? (
            <span data-testid="detail-refused">{(summary.permissionDenials ?? []).map((d) => (d.target ? `${d.tool} ${d.target}` : d.tool)).join(', ')}</span>
          ) : null}
        </Field>
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
