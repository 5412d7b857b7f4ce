import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';

/**
 * Writes to Supabase go through here, one ordered lane per command. A write is tried at once; if it
 * fails for a reason that heals by itself (network, 5xx, an expiring token) it is kept on disk and
 * replayed in order, with jittered backoff, until the database acknowledges it, so output and results
 * written while the database is unreachable arrive when it returns, also after a restart.
 * Every operation must be idempotent: a replay may follow a write whose response was lost.
 */

export type ApplyResult<V> = { kind: 'done'; value: V } | { kind: 'retry'; reason: string } | { kind: 'drop'; reason: string };
export type SubmitResult<V> = { state: 'done'; value: V } | { state: 'queued' } | { state: 'dropped'; reason: string };

export interface OutboxOp {
  commandId: string;
  kind: string;
}

interface Entry<O extends OutboxOp> {
  seq: number;
  file: string;
  bytes: number;
  op: O;
}

export interface OutboxOptions<O extends OutboxOp> {
  dir: string;
  apply: (op: O) => Promise<ApplyResult<unknown>>;
  logger: Logger;
  /** Kinds that may be dropped (oldest first) when the outbox is full; the rest are always kept. */
  droppableKinds: string[];
  maxEntries?: number;
  maxBytes?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  onChange?: (pending: number) => void;
}

export class Outbox<O extends OutboxOp> {
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly entries: Entry<O>[] = [];
  private seq = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: OutboxOptions<O>) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(options.dir).filter((n) => n.endsWith('.json')).sort()) {
      const file = join(options.dir, name);
      try {
        const text = readFileSync(file, 'utf8');
        const stored = JSON.parse(text) as { seq: number; op: O };
        this.entries.push({ seq: stored.seq, file, bytes: text.length, op: stored.op });
        this.seq = Math.max(this.seq, stored.seq);
      } catch (error) {
        options.logger.warn('Outbox: unreadable entry removed', { file: name, error });
        rmSync(file, { force: true });
      }
    }
    this.entries.sort((a, b) => a.seq - b.seq);
  }

  get pending(): number {
    return this.entries.length;
  }

  hasPending(commandId: string, kind?: string): boolean {
    return this.entries.some((e) => e.op.commandId === commandId && (kind === undefined || e.op.kind === kind));
  }

  pendingOps(): O[] {
    return this.entries.map((e) => e.op);
  }

  /** Try the write now (behind anything still queued for the same command); keep it on disk if it must wait. */
  submit<V>(op: O): Promise<SubmitResult<V>> {
    return this.inLane(op.commandId, async (): Promise<SubmitResult<V>> => {
      if (this.stopped || this.hasPending(op.commandId)) {
        this.persist(op);
        this.schedule(0);
        return { state: 'queued' };
      }
      const result = await this.options.apply(op);
      if (result.kind === 'done') {
        this.failures = 0;
        if (this.entries.length) this.schedule(0);
        return { state: 'done', value: result.value as V };
      }
      if (result.kind === 'drop') {
        // A retry cannot fix a refused request (4xx): say which command lost what, and move on.
        this.options.logger.error('Database refused a write; it is not retried', { commandId: op.commandId, kind: op.kind, reason: result.reason });
        return { state: 'dropped', reason: result.reason };
      }
      this.persist(op);
      this.options.logger.warn('Database write failed; kept in the outbox for retry', { commandId: op.commandId, kind: op.kind, reason: result.reason });
      this.failures++;
      this.schedule(this.backoff());
      return { state: 'queued' };
    });
  }

  /** Replay queued writes now (the database answered elsewhere, or a test wants it). */
  kick(): void {
    if (this.entries.length) this.schedule(0);
  }

  /** One replay pass; resolves when every lane has stopped (empty, or waiting for the next retry). */
  drain(): Promise<void> {
    this.draining ??= this.drainPass().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Wait until every started write has settled (for stop()). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.lanes.values()]);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async drainPass(): Promise<void> {
    const commandIds = [...new Set(this.entries.map((e) => e.op.commandId))];
    let failed = false;
    await Promise.all(
      commandIds.map((commandId) =>
        this.inLane(commandId, async () => {
          for (;;) {
            const head = this.entries.find((e) => e.op.commandId === commandId);
            if (!head || this.stopped) return;
            const result = await this.options.apply(head.op);
            if (result.kind === 'retry') {
              failed = true;
              return;
            }
            if (result.kind === 'drop') {
              this.options.logger.error('Outbox: a queued write was refused and dropped', { commandId, kind: head.op.kind, reason: result.reason });
            }
            this.remove(head);
          }
        }),
      ),
    );
    if (failed) {
      this.failures++;
      this.schedule(this.backoff());
    } else {
      this.failures = 0;
      if (this.entries.length) this.schedule(0);
    }
  }

  private backoff(): number {
    const base = this.options.baseBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 10_000;
    const exp = Math.min(max, base * 2 ** Math.max(0, this.failures - 1));
    return Math.round(exp / 2 + (this.options.random ?? Math.random)() * (exp / 2));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) {
      if (delayMs > 0) return; // a retry is already planned
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delayMs);
    this.timer.unref();
  }

  private inLane<T>(commandId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(commandId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.lanes.set(commandId, tail);
    void tail.then(() => {
      if (this.lanes.get(commandId) === tail) this.lanes.delete(commandId);
    });
    return next;
  }

  private persist(op: O): void {
    this.makeRoom();
    const seq = ++this.seq;
    const name = `${String(seq).padStart(12, '0')}.json`;
    const file = join(this.options.dir, name);
    const text = JSON.stringify({ seq, op });
    writeFileAtomicSync(file, text, { mode: 0o600 });
    this.entries.push({ seq, file, bytes: text.length, op });
    this.options.onChange?.(this.entries.length);
  }

  private remove(entry: Entry<O>): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
    rmSync(entry.file, { force: true });
    this.options.onChange?.(this.entries.length);
  }

  /** Bounded: when full, the oldest droppable writes (live output) go first; results are always kept. */
  private makeRoom(): void {
    const maxEntries = this.options.maxEntries ?? 5000;
    const maxBytes = this.options.maxBytes ?? 64 * 1024 * 1024;
    let bytes = this.entries.reduce((sum, e) => sum + e.bytes, 0);
    while (this.entries.length >= maxEntries || bytes > maxBytes) {
      const victim = this.entries.find((e) => this.options.droppableKinds.includes(e.op.kind));
      if (!victim) return;
      this.options.logger.warn('Outbox full: dropping the oldest queued output', { commandId: victim.op.commandId });
      bytes -= victim.bytes;
      this.remove(victim);
    }
  }
}
