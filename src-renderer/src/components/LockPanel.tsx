import type { BeaconSnapshot, LockHolderView } from '../../../src-main/core/contract/types.js';
import { formatWhen } from '../format.js';

function holderName(holder: LockHolderView): string {
  const kind = holder.type === 'beacon' ? 'Beacon' : holder.type === 'bridge' ? 'the older Bridge daemon' : 'an unknown executor';
  const mode = holder.mode ? ` (${holder.mode === 'app' ? 'app' : 'headless'})` : '';
  return `${kind}${mode}`;
}

/** Shown above everything when another executor holds the lock and this Beacon waits in standby. */
export function StandbyBanner({ snapshot }: { snapshot: BeaconSnapshot }) {
  if (snapshot.role !== 'standby') return null;
  const holder = snapshot.lockHolders.find((h) => !h.self && h.alive) ?? snapshot.lockHolders.find((h) => !h.self);
  return (
    <div className="banner banner-standby" role="alert" data-testid="standby-banner">
      <strong>Standby: this Beacon is not running commands.</strong>{' '}
      {holder ? (
        <>
          The executor lock is held by <span data-testid="standby-holder">{holderName(holder)}</span>, pid{' '}
          <span data-testid="standby-pid">{holder.pid}</span>
          {holder.machineId ? ` (machine ${holder.machineId})` : ''}. To let Beacon take over:{' '}
          <span data-testid="standby-instruction">{holder.stopInstruction}</span>
        </>
      ) : (
        'Another executor holds the lock. Beacon takes over as soon as it is released.'
      )}
    </div>
  );
}

export function LockPanel({ holders }: { holders: LockHolderView[] }) {
  if (holders.length === 0) {
    return (
      <div className="empty-state" data-testid="locks-empty">
        <p className="empty-title">Nobody holds the executor lock</p>
        <p className="muted">When an executor (this Beacon, another Beacon or the older Bridge) runs on this machine, it is listed here.</p>
      </div>
    );
  }
  return (
    <table className="lock-table" data-testid="lock-table">
      <caption className="visually-hidden">Holders of the executor lock</caption>
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">Mode</th>
          <th scope="col">PID</th>
          <th scope="col">Machine</th>
          <th scope="col">Since</th>
          <th scope="col">How to stop</th>
        </tr>
      </thead>
      <tbody>
        {holders.map((holder) => (
          <tr key={`${holder.type}-${holder.pid}`} data-testid="lock-holder" className={holder.self ? 'self' : undefined}>
            <td>
              {holder.type}
              {holder.self && <span className="tag">this process</span>}
              {!holder.alive && <span className="tag tag-warn">not running</span>}
            </td>
            <td>{holder.mode ?? '—'}</td>
            <td>
              <code>{holder.pid}</code>
            </td>
            <td>{holder.machineId ?? holder.hostname ?? '—'}</td>
            <td>{formatWhen(holder.startedAt)}</td>
            <td className="small">{holder.self ? 'Quit Beacon (or stop `beacon run`).' : holder.stopInstruction}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
