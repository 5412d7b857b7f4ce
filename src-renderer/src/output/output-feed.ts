import type { BeaconActions, BeaconEvent } from '../../../src-main/core/contract/types.js';
import { skipUtf8Bytes, utf8Length } from './utf8.js';

/**
 * Keeps one command's terminal in step with its log. `offset` is the log byte offset up to which text has
 * been written. Live 'output' events carry the offset just after their chunk; an event that ends at or
 * before `offset` is a duplicate, one that starts at `offset` is appended, one that starts inside what we
 * have is trimmed, and one that starts beyond it reveals a gap, which is filled from the log (readOutput).
 * Events arriving during a replay wait in a small buffer. Only the last TAIL_BYTES of a long stretch are
 * fetched: the terminal keeps a bounded scrollback anyway, and the full log stays on disk.
 */

type OutputEvent = Extract<BeaconEvent, { type: 'output' }>;

export interface FeedSink {
  write(text: string): void;
  /** A line of Beacon's own, shown dimmed (skipped output, replay errors). */
  notice(text: string): void;
}

export interface FeedOptions {
  tailBytes?: number;
  readChunkBytes?: number;
  /** Live text held during a replay before it is dropped in favour of one more replay. */
  maxBufferedChars?: number;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export class OutputFeed {
  offset = 0;
  private replaying = false;
  private buffered: OutputEvent[] = [];
  private bufferedChars = 0;
  /** Highest end offset seen in live events or snapshots: where a replay must reach. */
  private latestKnown = 0;
  private complete = false;
  /** Where the last replay found the end of the log (null after live text moved past it). */
  private logEndsAt: number | null = null;
  private disposed = false;
  private readonly tailBytes: number;
  private readonly readChunkBytes: number;
  private readonly maxBufferedChars: number;

  constructor(
    private readonly api: Pick<BeaconActions, 'readOutput'>,
    readonly commandId: string,
    private readonly sink: FeedSink,
    options: FeedOptions = {},
  ) {
    this.tailBytes = options.tailBytes ?? 1024 * 1024;
    this.readChunkBytes = options.readChunkBytes ?? 512 * 1024;
    this.maxBufferedChars = options.maxBufferedChars ?? 4 * 1024 * 1024;
  }

  dispose(): void {
    this.disposed = true;
    this.buffered = [];
  }

  /** Replay what the log holds (the tail of it), then follow live events. */
  start(knownBytes: number): Promise<void> {
    this.latestKnown = Math.max(this.latestKnown, knownBytes);
    return this.replay();
  }

  /** A snapshot said the log has `bytes`; a finished command will send no more events, so fetch the rest. */
  noteLogSize(bytes: number, finished: boolean): void {
    this.latestKnown = Math.max(this.latestKnown, bytes);
    if (finished && !this.replaying && bytes > this.offset && !this.complete) void this.replay();
  }

  /** After a reconnect events may have been lost: read whatever the log has beyond what is shown. */
  resync(): Promise<void> {
    return this.replaying ? Promise.resolve() : this.replay();
  }

  onEvent(event: OutputEvent): void {
    if (this.disposed || event.commandId !== this.commandId) return;
    this.latestKnown = Math.max(this.latestKnown, event.offset);
    if (this.replaying) {
      this.buffered.push(event);
      this.bufferedChars += event.data.length;
      if (this.bufferedChars > this.maxBufferedChars) {
        // Too much to hold: the replay that follows reads it from the log instead.
        this.buffered = [];
        this.bufferedChars = 0;
      }
      return;
    }
    this.apply(event);
  }

  private apply(event: OutputEvent): void {
    if (event.offset <= this.offset) return;
    const start = event.offset - utf8Length(event.data);
    // The offset moves before the sink writes, so a sink reading feed.offset sees where the text ends.
    if (start === this.offset) {
      this.offset = event.offset;
      this.sink.write(event.data);
    } else if (start < this.offset) {
      const text = skipUtf8Bytes(event.data, this.offset - start);
      this.offset = event.offset;
      this.sink.write(text);
    } else if (this.logEndsAt === this.offset) {
      // The last replay found the log ending here (a bounded log keeps only its head while running):
      // these bytes cannot be read back, so show the live text after a note.
      this.sink.notice(`… ${formatBytes(start - this.offset)} not kept in the log`);
      this.offset = event.offset;
      this.logEndsAt = null;
      this.sink.write(event.data);
    } else {
      // Keep the event: after the replay it is a duplicate, an overlap, or the text beyond the log's end.
      this.buffered.push(event);
      this.bufferedChars += event.data.length;
      void this.replay();
    }
  }

  private async replay(): Promise<void> {
    if (this.replaying || this.disposed) return;
    this.replaying = true;
    try {
      for (let round = 0; round < 1000 && !this.disposed; round++) {
        const behind = this.latestKnown - this.offset;
        if (behind > this.tailBytes) {
          this.sink.notice(`… ${formatBytes(behind - this.tailBytes)} of earlier output not shown here (the full log is in Beacon's logs folder)`);
          this.offset = this.latestKnown - this.tailBytes;
        }
        const slice = await this.api.readOutput(this.commandId, this.offset, this.readChunkBytes);
        if (this.disposed) return;
        const advanced = slice.nextOffset > this.offset;
        this.offset = Math.max(this.offset, slice.nextOffset);
        if (slice.data) this.sink.write(slice.data);
        this.latestKnown = Math.max(this.latestKnown, this.offset);
        this.complete = slice.complete;
        if (slice.complete || !advanced) {
          // The log ends here for now, whatever an earlier event promised.
          this.latestKnown = this.offset;
          this.logEndsAt = this.offset;
          break;
        }
      }
    } catch (error) {
      this.sink.notice(`Could not read the output log: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.replaying = false;
    }
    const waiting = this.buffered;
    this.buffered = [];
    this.bufferedChars = 0;
    for (let i = 0; i < waiting.length; i++) {
      if (this.disposed) return;
      if (this.replaying) {
        // A gap started another replay: the rest waits for it, in order.
        this.buffered.push(...waiting.slice(i));
        return;
      }
      this.apply(waiting[i]!);
    }
    // Events dropped from a full buffer (or a snapshot) said there is more: read it.
    if (!this.replaying && !this.disposed && this.latestKnown > this.offset) void this.replay();
  }
}
