import type { CommandStatusName } from '../../../src-main/core/api/types.js';
import { STATUS_LABELS } from '../format.js';

export function StatusBadge({ status }: { status: CommandStatusName }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
