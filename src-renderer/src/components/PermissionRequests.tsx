import { useState } from 'react';
import { describeAnswerSource, type PermissionAnswerInput, type PermissionRequestView } from '../../../src-main/core/contract/permission-request.js';
import type { BeaconSnapshot, PermissionAnswerResult } from '../../../src-main/core/contract/types.js';
import { errorMessage, firstLine, formatDuration } from '../format.js';

/**
 * Permission requests in the window: a banner per request waiting for an answer (what the agent wants to do, the
 * diff or the command, and Allow / Allow <tool> for this command / Deny), and below it how the selected command's
 * requests were answered. The same component serves the tray window and the dashboard.
 */
interface PermissionRequestsProps {
  snapshot: BeaconSnapshot;
  now: number;
  selectedCommandId: string | null;
  answer?(requestId: string, input: PermissionAnswerInput): Promise<PermissionAnswerResult>;
  onSelectCommand(commandId: string): void;
  onAnswered(message: string, ok: boolean): void;
}

export function PermissionRequests({ snapshot, now, selectedCommandId, answer, onSelectCommand, onAnswered }: PermissionRequestsProps) {
  const requests = snapshot.permissionRequests ?? [];
  const pending = requests.filter((request) => request.state === 'pending');
  const settled = requests.filter((request) => request.state !== 'pending' && request.commandId === selectedCommandId);
  const warnings = snapshot.permissionWarnings ?? [];
  if (!pending.length && !settled.length && !warnings.length) return null;
  const promptOf = (commandId: string) => snapshot.commands.find((command) => command.id === commandId)?.prompt ?? commandId;
  return (
    <section className="permission-requests" aria-label="Permission requests" data-testid="permission-requests">
      {warnings.map((warning) => (
        <p key={warning} className="permission-warning" role="alert" data-testid="permission-warning">
          ⚠ {warning}
        </p>
      ))}
      {pending.map((request) => (
        <PendingRequest
          key={request.id}
          request={request}
          now={now}
          prompt={promptOf(request.commandId)}
          answer={answer}
          onSelectCommand={onSelectCommand}
          onAnswered={onAnswered}
        />
      ))}
      {settled.length > 0 && (
        <ul className="permission-settled" aria-label="Answered permission requests">
          {settled.map((request) => (
            <li key={request.id} data-testid="permission-settled" data-request-id={request.id} data-state={request.state}>
              <span className={`permission-state permission-state-${request.state}`}>{STATE_LABELS[request.state]}</span> {request.tool}{' '}
              <code>{firstLine(request.summary, 100)}</code> — <span data-testid="permission-answered-by">{answeredBy(request)}</span>
              {request.answer?.message && request.answer.via !== 'no_answer' ? <span className="muted">: {request.answer.message}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const STATE_LABELS: Record<PermissionRequestView['state'], string> = { pending: 'Waiting', allowed: 'Allowed', denied: 'Denied', void: 'Void' };

function answeredBy(request: PermissionRequestView): string {
  if (!request.answer) return '';
  if (request.answer.via === 'no_answer') return 'nobody answered in time';
  if (request.state === 'void') return request.answer.message ?? 'the command ended first';
  const scope = request.answer.scope === 'command' ? ` (${request.tool} allowed for the rest of the command)` : '';
  return `answered by ${describeAnswerSource(request.answer)}${scope}`;
}

/** One waiting request: idle → (deny: writing a message) → sending → done, or back to idle with the reason it failed. */
type Step = { kind: 'idle'; error: string | null } | { kind: 'denying'; message: string } | { kind: 'sending' };

function PendingRequest({ request, now, prompt, answer, onSelectCommand, onAnswered }: {
  request: PermissionRequestView;
  now: number;
  prompt: string;
  answer?(requestId: string, input: PermissionAnswerInput): Promise<PermissionAnswerResult>;
  onSelectCommand(commandId: string): void;
  onAnswered(message: string, ok: boolean): void;
}) {
  const [step, setStep] = useState<Step>({ kind: 'idle', error: null });
  // The clock ticks once a second, so it can lag the request's own time: never show more than the whole wait.
  const left = Math.min(Date.parse(request.deadlineAt) - now, Date.parse(request.deadlineAt) - Date.parse(request.askedAt));
  const send = async (input: PermissionAnswerInput): Promise<void> => {
    if (!answer) return;
    setStep({ kind: 'sending' });
    try {
      const result = await answer(request.id, input);
      onAnswered(result.message, result.ok);
      if (!result.ok) setStep({ kind: 'idle', error: result.message });
    } catch (error) {
      setStep({ kind: 'idle', error: `The answer was not sent: ${errorMessage(error)}` });
    }
  };
  const locked = !answer || step.kind === 'sending';
  return (
    <div className="permission-request" role="alert" data-testid="permission-request" data-request-id={request.id} data-command-id={request.commandId}>
      <p className="permission-title">
        <strong>Permission requested:</strong> {request.tool} <code data-testid="permission-summary">{firstLine(request.summary, 160)}</code>
      </p>
      <p className="small muted">
        For{' '}
        <button type="button" className="link-button" onClick={() => onSelectCommand(request.commandId)}>
          “{firstLine(prompt, 80)}”
        </button>
        {' · '}
        <span data-testid="permission-deadline">{left > 0 ? `denied in ${formatDuration(left)} without an answer` : 'denying now (no answer)'}</span>
      </p>
      {request.detail && (
        <details className="permission-detail" open>
          <summary>{request.tool === 'Write' || request.tool === 'Edit' || request.tool === 'MultiEdit' ? 'Changes' : 'Details'}</summary>
          <pre className="prompt diff" data-testid="permission-detail">
            {request.detail.split('\n').map((line, index) => (
              <span key={index} className={diffClass(line)}>
                {line}
                {'\n'}
              </span>
            ))}
          </pre>
        </details>
      )}
      {step.kind === 'denying' ? (
        <form
          className="permission-deny"
          onSubmit={(event) => {
            event.preventDefault();
            void send({ decision: 'deny', ...(step.message.trim() ? { message: step.message.trim() } : {}) });
          }}
        >
          <label className="small">
            Tell the agent why (optional){' '}
            <input autoFocus value={step.message} maxLength={2000} onChange={(event) => setStep({ kind: 'denying', message: event.target.value })} data-testid="permission-deny-message" />
          </label>
          <button type="submit" className="danger" data-testid="permission-deny-send">
            Deny
          </button>
          <button type="button" onClick={() => setStep({ kind: 'idle', error: null })}>
            Back
          </button>
        </form>
      ) : (
        <div className="dialog-actions">
          <button type="button" className="danger" disabled={locked} onClick={() => setStep({ kind: 'denying', message: '' })} data-testid="permission-deny">
            Deny…
          </button>
          <button type="button" disabled={locked} onClick={() => void send({ decision: 'allow', scope: 'command' })} data-testid="permission-allow-command">
            Allow {request.tool} for this command
          </button>
          <button type="button" className="primary" disabled={locked} onClick={() => void send({ decision: 'allow', scope: 'once' })} data-testid="permission-allow">
            {step.kind === 'sending' ? 'Sending…' : 'Allow'}
          </button>
        </div>
      )}
      {step.kind === 'idle' && step.error && (
        <p className="error-box" role="alert" data-testid="permission-error">
          {step.error}
        </p>
      )}
    </div>
  );
}

function diffClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return 'diff-file';
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return undefined;
}
