import { describeExitCode } from '../../../src-main/core/contract/exit-code.js';
import type { CommandView } from '../../../src-main/core/contract/types.js';
import { commandTiming, firstLine, formatDuration, isFinished, shortId } from '../format.js';
import { StatusBadge } from './StatusBadge.js';

interface CommandListProps {
  commands: CommandView[];
  selectedId: string | null;
  now: number;
  paused: boolean;
  /** The filter hides everything there is (as opposed to there being nothing). */
  filtered?: boolean;
  onSelect(id: string): void;
}

/** Running (and waiting) commands first, then finished ones, newest first; keeps the snapshot's order within each group. */
export function orderCommands(commands: CommandView[]): CommandView[] {
  return [...commands.filter((c) => !isFinished(c.status)), ...commands.filter((c) => isFinished(c.status))];
}

/** Up and down arrows move between rows (Tab still leaves the list). */
function moveFocus(event: React.KeyboardEvent<HTMLUListElement>): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const rows = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button.command-item')];
  const index = rows.indexOf(document.activeElement as HTMLButtonElement);
  if (index < 0) return;
  event.preventDefault();
  const next = rows[event.key === 'ArrowDown' ? Math.min(rows.length - 1, index + 1) : Math.max(0, index - 1)];
  next?.focus();
  next?.click();
}

export function CommandList({ commands, selectedId, now, paused, filtered = false, onSelect }: CommandListProps) {
  if (commands.length === 0 && filtered) {
    return (
      <div className="empty-state" data-testid="commands-none-match">
        <p className="empty-title">No command matches</p>
        <p className="muted">Change the search or the status above to see more.</p>
      </div>
    );
  }
  if (commands.length === 0) {
    return (
      <div className="empty-state" data-testid="commands-empty">
        <p className="empty-title">No commands yet</p>
        <p className="muted">
          {paused ? 'Beacon is paused: new commands wait until you resume.' : 'Commands queued for this machine appear here. Queue one with New, or from a terminal:'}
        </p>
        {!paused && <code className="command-example">beacon enqueue "Summarise the README" --cwd ~/code/my-repo</code>}
      </div>
    );
  }
  const ordered = orderCommands(commands);
  const firstFinished = ordered.findIndex((c) => isFinished(c.status));
  return (
    <ul className="command-list" aria-label="Commands" onKeyDown={moveFocus}>
      {ordered.map((command, index) => {
        const timing = commandTiming(command, now);
        return (
          <li key={command.id}>
            {index === firstFinished && <div className="list-divider">Recent</div>}
            <button
              type="button"
              className={`command-item ${command.id === selectedId ? 'selected' : ''} ${command.status === 'awaiting_approval' ? 'needs-approval' : ''}`}
              aria-current={command.id === selectedId ? 'true' : undefined}
              data-testid="command-item"
              data-command-id={command.id}
              data-status={command.status}
              onClick={() => onSelect(command.id)}
            >
              <span className="command-top">
                <StatusBadge status={command.status} />
                <span className="command-prompt" title={command.prompt.length > 60 ? firstLine(command.prompt, 400) : undefined}>
                  {firstLine(command.prompt) || '(empty prompt)'}
                </span>
              </span>
              {command.status === 'awaiting_approval' && (
                <span className="needs-approval-label" data-testid="needs-approval">
                  Needs your approval: select it to approve or reject
                </span>
              )}
              <span className="command-meta small muted">
                <span title={command.id}>#{shortId(command.id)}</span>
                <span>
                  {timing.label} {timing.ms === null ? '—' : formatDuration(timing.ms)}
                </span>
                {command.exitCode !== null && (
                  <span className={command.exitCode === 0 ? 'exit-ok' : 'exit-bad'} data-testid="exit-code">
                    exit {describeExitCode(command.exitCode, command.status)}
                  </span>
                )}
                {(command.summary?.permissionDenialCount ?? 0) > 0 && (
                  <span className="exit-bad" title={command.errorMessage ?? undefined} data-testid="refused-count">
                    {command.summary!.permissionDenialCount} refused
                  </span>
                )}
                <span title="Target machine">{command.targetMachineId ? `→ ${command.targetMachineId}` : '→ any machine'}</span>
                <span className="command-dir" title={command.workingDirectory}>
                  {command.workingDirectory}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
