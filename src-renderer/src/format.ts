import type { CommandStatus } from '../../src-main/core/contract/command.js';
import type { CommandView } from '../../src-main/core/contract/types.js';

export const STATUS_LABELS: Record<CommandStatus, string> = {
  pending: 'Pending',
  claimed: 'Claimed',
  running: 'Running',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  completed: 'Completed',
  failed: 'Failed',
  timeout: 'Timed out',
  cancelled: 'Cancelled',
};

const FINISHED: ReadonlySet<CommandStatus> = new Set(['completed', 'failed', 'timeout', 'cancelled']);

export function isFinished(status: CommandStatus): boolean {
  return FINISHED.has(status);
}

/** Statuses a UI may cancel from (mirrors the core's transitions into `cancelled`). */
export function canCancel(status: CommandStatus): boolean {
  return !FINISHED.has(status);
}

export function canRequeue(status: CommandStatus): boolean {
  return FINISHED.has(status);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

function time(iso: string | null): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? null : value;
}

/** "waiting 3 s", "running 1 min 2 s", "ran 4 s" (awaiting approval), "took 12.3 s": what the list shows for a command's timing. */
export function commandTiming(command: CommandView, now: number): { label: string; ms: number | null } {
  const created = time(command.createdAt);
  const started = time(command.startedAt) ?? time(command.claimedAt);
  const completed = time(command.completedAt);
  if (completed !== null || isFinished(command.status)) {
    const from = started ?? created;
    return { label: 'took', ms: from === null || completed === null ? null : completed - from };
  }
  // The run is over and waits for a person: the run's own length, not a clock that keeps ticking.
  if (command.status === 'awaiting_approval') return { label: 'ran', ms: command.summary?.durationMs ?? null };
  if (started !== null) return { label: 'running', ms: now - started };
  return { label: 'waiting', ms: created === null ? null : now - created };
}

export function formatWhen(iso: string | null): string {
  const value = time(iso);
  if (value === null) return '—';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function shortId(id: string): string {
  return id.length > 10 ? id.slice(0, 8) : id;
}

export function firstLine(text: string, max = 120): string {
  const line = text.split('\n').find((part) => part.trim() && !part.trim().startsWith('@agent')) ?? text.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
