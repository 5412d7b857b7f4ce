import type { SourceEvents } from '../source.js';
import type { Row } from './mapping.js';

/**
 * The commands this process claimed and has not finished, and what realtime changes mean for them:
 * a cancel of one of ours is passed on once (realtime, the poll backstop and requestCancel may all
 * see it); a pending row for us is a wake-up.
 */
export class OwnedCommands {
  private readonly owned = new Map<string, string | null>();
  private readonly cancelNotified = new Set<string>();

  constructor(
    private readonly machineId: string,
    private readonly events: () => SourceEvents,
  ) {}

  add(commandId: string, workspaceId: string | null): void {
    this.owned.set(commandId, workspaceId);
  }

  release(commandId: string): void {
    this.owned.delete(commandId);
    this.cancelNotified.delete(commandId);
  }

  has(commandId: string): boolean {
    return this.owned.has(commandId);
  }

  ids(): string[] {
    return [...this.owned.keys()];
  }

  workspaceOf(commandId: string): string | null {
    return this.owned.get(commandId) ?? null;
  }

  cancelled(commandId: string): void {
    if (!this.owned.has(commandId) || this.cancelNotified.has(commandId)) return;
    this.cancelNotified.add(commandId);
    this.events().onCancelled(commandId);
  }

  /** A realtime INSERT or UPDATE on bridge_commands in one of our workspaces. */
  changed(type: 'INSERT' | 'UPDATE', row: Row): void {
    const id = typeof row.id === 'string' ? row.id : null;
    if (!id) return;
    const forUs = row.target_machine_id == null || row.target_machine_id === this.machineId;
    if (row.status === 'cancelled') this.cancelled(id);
    if (row.status === 'pending' && forUs) this.events().onWake(type === 'INSERT' ? 'insert' : 'update');
    this.events().onCommandChanged(id);
  }
}
