import type { FleetMachineView } from '../../../src-main/core/contract/types.js';
import { formatDuration } from '../format.js';

export function FleetPanel({ fleet }: { fleet: FleetMachineView[] }) {
  return (
    <table className="lock-table" data-testid="fleet-table">
      <caption className="visually-hidden">Machines in the workspace</caption>
      <thead>
        <tr>
          <th scope="col">Machine</th>
          <th scope="col">Status</th>
          <th scope="col">Last heartbeat</th>
          <th scope="col">Workspace</th>
        </tr>
      </thead>
      <tbody>
        {fleet.map((machine) => (
          <tr key={machine.id} className={machine.self ? 'self' : undefined}>
            <td>
              {machine.name}
              {machine.self && <span className="tag">this machine</span>}
              <div className="small muted">{machine.hostname ?? machine.id}</div>
            </td>
            <td>
              {machine.stale ? <span className="tag tag-warn">stale</span> : null} {machine.status}
            </td>
            <td>{machine.heartbeatAgeSeconds === null ? 'never' : `${formatDuration(machine.heartbeatAgeSeconds * 1000)} ago`}</td>
            <td className="small">
              <code>{machine.workspaceId.slice(0, 8)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
