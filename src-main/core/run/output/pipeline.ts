import { StreamJsonRenderStream } from '../../contract/stream-json/render-stream.js';
import type { RunSummary } from '../../contract/run-summary.js';
import type { RunObserver } from '../runner.js';
import { createAnsiStripper } from '../../contract/ansi-stripper.js';
import { BoundedLog } from './bounded-log.js';
import { LineSplitter } from './line-splitter.js';
import { StreamJsonSummary } from '../../contract/stream-json/summary.js';
import { TailBuffer } from './tail-buffer.js';
import { createUtf8Stream } from './utf8-stream.js';

/**
 * One run's output, chunk by chunk: raw bytes → the bounded log file; decoded text → observer.onOutput
 * (the terminal view); ANSI-stripped text → observer.onText (database sinks) and the bounded tail for
 * the result row, with stream-json lines rendered readable when the agent writes stream-json; stream-json
 * lines (split from the decoded text) → the run summary → onSummary.
 * Nothing accumulates beyond the fixed bounds of the log ring, the tail and one partial line.
 */
export interface OutputPipelineOptions {
  logPath: string;
  maxOutputBytes: number;
  observer: RunObserver;
  /** The stream-json `result` line was seen. */
  onResult(): void;
  /** The log writer is behind: pause the source (true) or resume it (false). */
  onBackpressure(paused: boolean): void;
  /** Bytes (UTF-8) of stripped text kept for the result row (default maxOutputBytes). */
  tailBytes?: number;
  /** 'stream-json': onText and the tail get the readable (plain) rendering instead of the JSON lines. */
  outputFormat?: 'stream-json' | 'text';
}

export interface OutputTotals {
  summary: RunSummary;
  outputTail: string;
  outputTruncated: boolean;
  totalBytes: number;
  omittedBytes: number;
  /** Set when the log file could not be written (the run itself is unaffected). */
  logError: string | null;
}

/** What a macOS tty echoes for the "^D" written to give the agent end-of-file on stdin. */
const ECHOED_EOF = '^D\b\b';

export class OutputPipeline {
  private readonly log: BoundedLog;
  private readonly decoder = createUtf8Stream();
  private readonly stripper = createAnsiStripper();
  private readonly tail: TailBuffer;
  private readonly parser = new StreamJsonSummary();
  private readonly lines: LineSplitter;
  /** Stream-json made readable for people reading the database; null: text goes as it is. */
  private readonly readable: StreamJsonRenderStream | null;
  private firstText = true;
  private finished = false;

  constructor(private readonly options: OutputPipelineOptions) {
    this.log = new BoundedLog(options.logPath, options.maxOutputBytes);
    this.log.onDrain(() => options.onBackpressure(false));
    this.tail = new TailBuffer(options.tailBytes ?? options.maxOutputBytes);
    this.lines = new LineSplitter((line) => this.onLine(line), undefined, '{');
    this.readable = options.outputFormat === 'stream-json' ? new StreamJsonRenderStream('plain') : null;
  }

  push(chunk: Uint8Array): void {
    if (this.finished) return;
    if (!this.log.write(chunk)) this.options.onBackpressure(true);
    this.onDecoded(this.decoder.push(chunk));
  }

  async finish(): Promise<OutputTotals> {
    if (!this.finished) {
      this.onDecoded(this.decoder.end());
      this.finished = true;
      const rest = this.stripper.end();
      if (rest) this.emitText(rest);
      const held = this.readable?.flush();
      if (held) this.emitShown(held);
      this.lines.end();
    }
    let logError: string | null = null;
    let totalBytes = 0;
    let omittedBytes = 0;
    try {
      ({ totalBytes, omittedBytes } = await this.log.close());
    } catch (error) {
      logError = `the output log ${this.options.logPath} could not be written: ${(error as Error).message}`;
    }
    return {
      summary: this.parser.summary,
      outputTail: this.tail.take(),
      outputTruncated: this.tail.truncated || omittedBytes > 0,
      totalBytes,
      omittedBytes,
      logError,
    };
  }

  get summary(): RunSummary {
    return this.parser.summary;
  }

  private onDecoded(text: string): void {
    if (!text) return;
    this.options.observer.onOutput?.(text);
    let forText = text;
    if (this.firstText) {
      this.firstText = false;
      if (forText.startsWith(ECHOED_EOF)) forText = forText.slice(ECHOED_EOF.length);
    }
    this.lines.push(forText);
    const stripped = this.stripper.push(forText);
    if (stripped) this.emitText(stripped);
  }

  private emitText(text: string): void {
    this.parser.notePlainText(text);
    this.emitShown(this.readable ? this.readable.push(text) : text);
  }

  private emitShown(text: string): void {
    if (!text) return;
    this.tail.push(text);
    this.options.observer.onText?.(text);
  }

  private onLine(line: string): void {
    const outcome = this.parser.ingestLine(line);
    if (outcome.changed) this.options.observer.onSummary?.(this.parser.summary);
    if (outcome.isResult) this.options.onResult();
  }
}
