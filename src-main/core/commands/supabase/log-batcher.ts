import { randomUUID } from 'node:crypto';
import type { OutputChunk } from '../source.js';
import type { SpawnLogRow } from './writes.js';

/**
 * Turns a command's output chunks into spawn_logs rows: at most `rowsPerSecond` rows per command (the
 * dashboard loads only the first 1000 rows), each message bounded with its middle dropped and marked,
 * timestamps strictly increasing per command so ordering by ts replays the output in order.
 */

export interface LogBatcherOptions {
  emit: (commandId: string, rows: SpawnLogRow[]) => void;
  workspaceOf: (commandId: string) => string | null;
  rowsPerSecond?: number;
  maxMessageChars?: number;
  now?: () => number;
  newId?: () => string;
}

interface Pending {
  stdout: string;
  stderr: string;
  /** Earliest moment the next flush may happen. */
  notBefore: number;
  timer: NodeJS.Timeout | null;
  lastTs: number;
}

export function boundMessage(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `\n[… ${text.length - max} characters omitted by Beacon …]\n`;
  const keep = Math.max(0, max - marker.length);
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}

export class LogBatcher {
  private readonly pending = new Map<string, Pending>();
  private readonly interval: number;
  private readonly maxChars: number;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly options: LogBatcherOptions) {
    this.interval = 1000 / (options.rowsPerSecond ?? 4);
    this.maxChars = options.maxMessageChars ?? 64 * 1024;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  append(commandId: string, chunk: OutputChunk): void {
    if (!chunk.text) return;
    let entry = this.pending.get(commandId);
    if (!entry) {
      entry = { stdout: '', stderr: '', notBefore: 0, timer: null, lastTs: 0 };
      this.pending.set(commandId, entry);
    }
    // Keep the buffer bounded between flushes too: the middle is dropped now rather than held in memory.
    const next = entry[chunk.stream] + chunk.text;
    entry[chunk.stream] = next.length > this.maxChars * 2 ? boundMessage(next, this.maxChars) : next;
    if (!entry.timer) {
      const delay = Math.max(this.interval, entry.notBefore - this.now());
      entry.timer = setTimeout(() => this.flush(commandId), delay);
      entry.timer.unref();
    }
  }

  /** Emit what is buffered for a command now (before its status and result are written). */
  flush(commandId: string): void {
    const entry = this.pending.get(commandId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const rows: SpawnLogRow[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (!entry[stream]) continue;
      const ts = Math.max(this.now(), entry.lastTs + 1);
      entry.lastTs = ts;
      rows.push({
        id: this.newId(),
        command_id: commandId,
        workspace_id: this.options.workspaceOf(commandId),
        stream,
        message: boundMessage(entry[stream], this.maxChars),
        ts: new Date(ts).toISOString(),
      });
      entry[stream] = '';
    }
    if (rows.length === 0) return;
    // Two rows in one flush use two slots of the per-second budget.
    entry.notBefore = this.now() + this.interval * rows.length;
    this.options.emit(commandId, rows);
  }

  /** Flush and forget a finished command. */
  close(commandId: string): void {
    this.flush(commandId);
    this.pending.delete(commandId);
  }

  closeAll(): void {
    for (const commandId of [...this.pending.keys()]) this.close(commandId);
  }
}
