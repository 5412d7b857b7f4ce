import type { CommandStatus } from '../../src-main/core/contract/command.js';
import type { CommandView } from '../../src-main/core/contract/types.js';

/** The history filter above the command list: a status group and words matched against prompt, directory, id and agent. */
export type StatusFilter = 'all' | 'active' | 'approval' | 'completed' | 'failed' | 'cancelled';

export const STATUS_FILTERS: { id: StatusFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'active', label: 'Active' },
  { id: 'approval', label: 'To approve' },
  { id: 'completed', label: 'Completed' },
  { id: 'failed', label: 'Failed' },
  { id: 'cancelled', label: 'Cancelled' },
];

const GROUPS: Record<Exclude<StatusFilter, 'all'>, readonly CommandStatus[]> = {
  active: ['pending', 'claimed', 'running', 'approved'],
  approval: ['awaiting_approval'],
  completed: ['completed'],
  failed: ['failed', 'timeout'],
  cancelled: ['cancelled'],
};

export interface CommandFilter {
  text: string;
  status: StatusFilter;
}

export const NO_FILTER: CommandFilter = { text: '', status: 'all' };

export function isFiltering(filter: CommandFilter): boolean {
  return filter.status !== 'all' || filter.text.trim() !== '';
}

/** Every word must appear (any case) in the prompt, the directory, the id or the agent. */
export function filterCommands(commands: CommandView[], filter: CommandFilter): CommandView[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const statuses = filter.status === 'all' ? null : GROUPS[filter.status];
  return commands.filter((command) => {
    if (statuses && !statuses.includes(command.status)) return false;
    if (!words.length) return true;
    const haystack = `${command.prompt}\n${command.workingDirectory}\n${command.id}\n${command.agent}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
