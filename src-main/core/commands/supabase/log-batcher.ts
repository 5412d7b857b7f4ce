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
  stdout: PendingText;
  stderr: PendingText;
  /** Earliest moment the next flush may happen. */
  notBefore: number;
  timer: NodeJS.Timeout | null;
  lastTs: number;
}

const omittedMarker = (count: number): string => `\n[… ${count} characters omitted by Beacon …]\n`;

export function boundMessage(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = omittedMarker(text.length - max);
  const keep = Math.max(0, max - marker.length);
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}

/**
 * One stream's text waiting for its row: the first half of the bound kept, then a rolling tail of whole
 * chunks, with a count of what fell out in between. An append costs only its own chunk, however much
 * output floods in between two flushes (re-bounding one growing string copied it over and over).
 */
export class PendingText {
  private head = '';
  private tail: string[] = [];
  private tailChars = 0;
  private dropped = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  constructor(private readonly max: number) {
    this.headCap = Math.ceil(max / 2);
    this.tailCap = max - this.headCap;
  }

  get isEmpty(): boolean {
    return this.head.length === 0 && this.tailChars === 0;
  }

  append(text: string): void {
    if (this.head.length < this.headCap) {
      const taken = text.slice(0, this.headCap - this.head.length);
      this.head += taken;
      text = text.slice(taken.length);
    }
    if (!text) return;
    this.tail.push(text);
    this.tailChars += text.length;
    // Drop whole chunks from the front while the rest still fills the tail's share.
    while (this.tail.length > 1 && this.tailChars - this.tail[0]!.length >= this.tailCap) {
      const first = this.tail.shift()!;
      this.tailChars -= first.length;
      this.dropped += first.length;
    }
  }

  /** The message (at most `max` characters, the middle marked when dropped), and empty again. */
  take(): string {
    const tail = this.tail.join('');
    const head = this.head;
    const dropped = this.dropped;
    this.head = '';
    this.tail = [];
    this.tailChars = 0;
    this.dropped = 0;
    if (dropped === 0) return boundMessage(head + tail, this.max);
    const total = head.length + dropped + tail.length;
    // The marker's length depends on the count it shows; two passes settle it.
    let marker = omittedMarker(dropped);
    for (let pass = 0; pass < 2; pass++) {
      const keepTail = Math.max(0, Math.min(tail.length, this.max - head.length - marker.length));
      marker = omittedMarker(total - head.length - keepTail);
    }
    const keepTail = Math.max(0, Math.min(tail.length, this.max - head.length - marker.length));
    return head + marker + tail.slice(tail.length - keepTail);
  }
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
      entry = { stdout: new PendingText(this.maxChars), stderr: new PendingText(this.maxChars), notBefore: 0, timer: null, lastTs: 0 };
      this.pending.set(commandId, entry);
    }
    entry[chunk.stream].append(chunk.text);
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
      if (entry[stream].isEmpty) continue;
      const ts = Math.max(this.now(), entry.lastTs + 1);
      entry.lastTs = ts;
      rows.push({
        id: this.newId(),
        command_id: commandId,
        workspace_id: this.options.workspaceOf(commandId),
        stream,
        message: entry[stream].take(),
        ts: new Date(ts).toISOString(),
      });
    }
    if (rows.length === 0) return;
    // Two rows in one flush use two slots of the per-second budget.
    entry.notBefore = this.now() + this.interval * rows.length;
    this.options.emit(commandId, rows);
  }

  /**
   * Flush and forget a finished command. The last row keeps the pace too (it waits out what is left of
   * the current slot, at most one interval), so no second of a command ever holds more than the budget.
   */
  async close(commandId: string): Promise<void> {
    const entry = this.pending.get(commandId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const wait = entry.notBefore - this.now();
    if (wait > 0 && !(entry.stdout.isEmpty && entry.stderr.isEmpty)) await new Promise((resolve) => setTimeout(resolve, wait));
    this.flush(commandId);
    this.pending.delete(commandId);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((commandId) => this.close(commandId)));
  }
}
