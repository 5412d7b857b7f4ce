import type { CommandStatus } from '../../../src-main/core/contract/command.js';
import { STATUS_LABELS } from '../format.js';

export function StatusBadge({ status }: { status: CommandStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
