import type { BeaconIpcApi, BeaconSnapshot } from '../../../src-main/core/contract/types.js';
import type { LinkState } from '../transport/index.js';
import { claimingLabel, connectionView } from '../status-view.js';

interface HeaderProps {
  snapshot: BeaconSnapshot | null;
  link: LinkState;
  busy: boolean;
  onTogglePause(): void;
  onRetry(): void;
  shell: NonNullable<BeaconIpcApi['shell']> | null;
  onShellAction(label: string, action: () => Promise<void>): void;
}

export function Header({ snapshot, link, busy, onTogglePause, onRetry, shell, onShellAction }: HeaderProps) {
  const connection = connectionView(snapshot, link);
  const paused = snapshot?.paused ?? false;
  return (
    <header className="app-header">
      <div className="identity">
        <h1 className="machine" title={snapshot ? `${snapshot.machineName} on ${snapshot.hostname}` : undefined}>
          <span className="logo" aria-hidden="true">◉</span> {snapshot?.machineId ?? 'Beacon'}
        </h1>
        {snapshot && (
          <span className="muted small">
            {snapshot.mode === 'app' ? 'App' : 'Headless'} · v{snapshot.version} ·{' '}
            <span data-testid="role" data-role={snapshot.role}>
              {claimingLabel(snapshot)}
            </span>
          </span>
        )}
      </div>
      <div className="connection" role="status" aria-live="polite" data-testid="connection" data-state={connection.state}>
        <span className={`dot dot-${connection.state}`} aria-hidden="true" />
        <span className="connection-label">{connection.label}</span>
        {connection.reason && (
          <span className="connection-reason small" title={connection.reason}>
            {connection.reason}
          </span>
        )}
        {(link.state === 'auth_failed' || link.state === 'offline') && (
          <button type="button" className="link-button" onClick={onRetry}>
            Retry
          </button>
        )}
      </div>
      {shell && (
        <>
          <button type="button" onClick={() => onShellAction('Open logs folder', () => shell.openLogsFolder())} title="Open the folder with every command's output log">
            Logs
          </button>
          <button type="button" onClick={() => onShellAction('Detach window', () => shell.detachWindow())} title="Open this view in a normal window">
            Detach
          </button>
        </>
      )}
      <button
        type="button"
        className={`pause-toggle ${paused ? 'is-paused' : ''}`}
        aria-pressed={paused}
        // Not disabled while a call is in flight: disabling the focused button would drop keyboard focus.
        disabled={!snapshot || link.state !== 'connected'}
        aria-busy={busy}
        onClick={() => {
          if (!busy) onTogglePause();
        }}
        data-testid="pause-toggle"
        title={paused ? 'Beacon is not claiming new commands. Resume to claim again.' : 'Stop claiming new commands (running ones continue).'}
      >
        <span className={paused ? 'icon-play' : 'icon-pause'} aria-hidden="true" />
        {paused ? 'Resume' : 'Pause'}
      </button>
    </header>
  );
}
