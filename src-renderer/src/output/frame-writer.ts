/**
 * Feeds a terminal at the pace it can render: text is queued, and once per animation frame one batch is
 * handed to term.write; the next batch waits for xterm's write callback (its parser caught up). The batch
 * size adapts so that parsing a batch takes about `frameBudgetMs`, between 4 KB and `maxCharsPerFrame`. When the queue grows past `maxQueuedChars` (a flood faster than rendering), the oldest text is
 * dropped and a one-line notice says so: the scrollback is bounded anyway and the page must stay responsive.
 */

export interface WritableTerminal {
  write(data: string, callback?: () => void): void;
}

export interface FrameWriterOptions {
  maxCharsPerFrame?: number;
  frameBudgetMs?: number;
  now?: () => number;
  maxQueuedChars?: number;
  requestFrame?: (callback: () => void) => unknown;
}

export class FrameWriter {
  private queue: string[] = [];
  private queuedChars = 0;
  private droppedChars = 0;
  private waitingForTerminal = false;
  private frameRequested = false;
  private generation = 0;
  private readonly maxCharsPerFrame: number;
  private readonly frameBudgetMs: number;
  private readonly now: () => number;
  private batchChars = 16 * 1024;
  private readonly maxQueuedChars: number;
  private readonly requestFrame: (callback: () => void) => unknown;
  /** Totals for benchmarks and tests. */
  readonly stats = { writtenChars: 0, droppedChars: 0, frames: 0 };

  constructor(
    private readonly terminal: WritableTerminal,
    options: FrameWriterOptions = {},
  ) {
    this.maxCharsPerFrame = options.maxCharsPerFrame ?? 256 * 1024;
    this.frameBudgetMs = options.frameBudgetMs ?? 8;
    this.now = options.now ?? (() => performance.now());
    this.maxQueuedChars = options.maxQueuedChars ?? 2 * 1024 * 1024;
    this.requestFrame = options.requestFrame ?? ((callback) => requestAnimationFrame(callback));
  }

  get pendingChars(): number {
    return this.queuedChars;
  }

  push(text: string): void {
    if (!text) return;
    this.queue.push(text);
    this.queuedChars += text.length;
    while (this.queuedChars > this.maxQueuedChars && this.queue.length > 1) {
      const oldest = this.queue.shift()!;
      this.queuedChars -= oldest.length;
      this.droppedChars += oldest.length;
      this.stats.droppedChars += oldest.length;
    }
    this.schedule();
  }

  /** Forget everything queued (another command was selected). */
  reset(): void {
    this.queue = [];
    this.queuedChars = 0;
    this.droppedChars = 0;
    this.waitingForTerminal = false;
    this.generation++;
  }

  /** Aim the next batch at the frame budget, judging by how long the terminal took for this one. */
  private adapt(chars: number, elapsedMs: number): void {
    if (chars < this.batchChars / 2) return; // A small batch says little about the terminal's speed.
    const ideal = elapsedMs > 0 ? (chars * this.frameBudgetMs) / elapsedMs : this.maxCharsPerFrame;
    // Move half way, so one slow frame (a GC, a resize) does not swing the size.
    const next = (this.batchChars + ideal) / 2;
    this.batchChars = Math.round(Math.min(this.maxCharsPerFrame, Math.max(4 * 1024, next)));
  }

  private schedule(): void {
    if (this.frameRequested || this.waitingForTerminal || this.queuedChars === 0) return;
    this.frameRequested = true;
    this.requestFrame(() => this.frame());
  }

  private frame(): void {
    this.frameRequested = false;
    if (this.waitingForTerminal || this.queuedChars === 0) return;
    let batch = '';
    let taken = 0;
    if (this.droppedChars > 0) {
      batch = `\r\n\x1b[2m… ${this.droppedChars.toLocaleString('en')} characters skipped to keep up …\x1b[0m\r\n`;
      this.droppedChars = 0;
    }
    while (this.queue.length > 0 && batch.length < this.batchChars) {
      const head = this.queue[0]!;
      const room = this.batchChars - batch.length;
      if (head.length <= room) {
        batch += head;
        taken += head.length;
        this.queue.shift();
      } else {
        batch += head.slice(0, room);
        taken += room;
        this.queue[0] = head.slice(room);
      }
    }
    this.queuedChars -= taken;
    this.stats.writtenChars += batch.length;
    this.stats.frames++;
    this.waitingForTerminal = true;
    const generation = this.generation;
    const startedAt = this.now();
    this.terminal.write(batch, () => {
      if (generation !== this.generation) return;
      this.adapt(taken, this.now() - startedAt);
      this.waitingForTerminal = false;
      this.schedule();
    });
  }
}
