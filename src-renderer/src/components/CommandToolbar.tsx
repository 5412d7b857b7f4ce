import { STATUS_FILTERS, type CommandFilter, type StatusFilter } from '../command-filter.js';

interface CommandToolbarProps {
  filter: CommandFilter;
  onFilter(filter: CommandFilter): void;
  shown: number;
  total: number;
  /** Absent when the connected Beacon cannot queue from a window. */
  onNew?: () => void;
}

/** Above the list: search the history (prompt, directory, id), narrow it by status, or queue a new command. */
export function CommandToolbar({ filter, onFilter, shown, total, onNew }: CommandToolbarProps) {
  return (
    <div className="command-toolbar" role="search">
      <input
        type="search"
        placeholder="Search"
        title="Words in the prompt, the folder, the id or the agent"
        aria-label="Search commands"
        value={filter.text}
        onChange={(e) => onFilter({ ...filter, text: e.target.value })}
        data-testid="command-search"
      />
      <select aria-label="Status" title="Active: waiting or running. Failed: failed or timed out." value={filter.status} onChange={(e) => onFilter({ ...filter, status: e.target.value as StatusFilter })} data-testid="command-status-filter">
        {STATUS_FILTERS.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
      {onNew && (
        <button type="button" className="primary" onClick={onNew} data-testid="new-command-button" title="Queue a command for the agent">
          New
        </button>
      )}
      {shown !== total && (
        <span className="small muted toolbar-count" data-testid="command-count">
          {shown} of {total}
        </span>
      )}
    </div>
  );
}
