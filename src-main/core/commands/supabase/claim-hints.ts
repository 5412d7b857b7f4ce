import type { Command } from '../../contract/command.js';
import { rowToCommand, type Row } from './mapping.js';

/**
 * Rows that realtime just carried as pending: the next claim tries them first, so a subscribed executor
 * claims a fresh command in one round trip instead of listing first. A hint is never truth: its check
 * runs as always, the database still decides the claim, and a stale one simply fails to claim.
 * Bounded: a few dozen ids, each dropped once handed out, seen non-pending, or older than `ttlMs`.
 */
export interface ClaimHintsOptions {
  machineId: string;
  maxSize?: number;
  ttlMs?: number;
  now?: () => number;
}

export class ClaimHints {
  private readonly hints = new Map<string, { command: Command; at: number }>();

  constructor(private readonly options: ClaimHintsOptions) {}

  get size(): number {
    return this.hints.size;
  }

  /** A realtime INSERT or UPDATE row: pending and for us (untargeted or targeted here) becomes a hint. */
  observe(row: Row): void {
    const id = typeof row.id === 'string' ? row.id : null;
    if (!id) return;
    const target = row.target_machine_id;
    if (row.status !== 'pending' || (target != null && target !== this.options.machineId)) {
      this.hints.delete(id);
      return;
    }
    let command: Command;
    try {
      command = rowToCommand(row);
    } catch {
      return; // the listing meets it again, with the per-candidate guard
    }
    this.hints.delete(id); // re-inserted last, so the oldest entry is dropped first when full
    if (this.hints.size >= (this.options.maxSize ?? 32)) this.hints.delete(this.hints.keys().next().value!);
    this.hints.set(id, { command, at: this.now() });
  }

  /** The fresh hints, oldest command first; they are handed out once (the listing covers whatever stays pending). */
  take(): Command[] {
    const cutoff = this.now() - (this.options.ttlMs ?? 5000);
    const fresh = [...this.hints.values()].filter((hint) => hint.at >= cutoff).map((hint) => hint.command);
    this.hints.clear();
    return fresh.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  clear(): void {
    this.hints.clear();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
