import type { OutputEvent } from './types.js';

/**
 * Coalesces a command's terminal output into UI events every ~16 ms (one frame), so a flood of tiny
 * pty chunks costs a UI a few dozen events a second. A large burst is flushed early to bound memory.
 * While nobody listens (a headless `beacon run` without a dashboard or client) nothing is buffered:
 * only the byte offset advances, so a listener that attaches later still gets exact offsets.
 */
export interface OutputBatcher {
  push(commandId: string, text: string): void;
  /** Flush what is buffered for a command and forget it (the command finished). */
  finish(commandId: string): void;
  dispose(): void;
}

const MAX_BUFFERED_CHARS = 256 * 1024;

interface Stream {
  pending: string;
  seq: number;
  offset: number;
  timer: NodeJS.Timeout | null;
}

export function createOutputBatcher(windowMs: number, emit: (event: OutputEvent) => void, listening: () => boolean = () => true): OutputBatcher {
  const streams = new Map<string, Stream>();

  const flush = (commandId: string, stream: Stream): void => {
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = null;
    if (!stream.pending) return;
    const data = stream.pending;
    stream.pending = '';
    stream.seq += 1;
    stream.offset += Buffer.byteLength(data, 'utf8');
    emit({ commandId, seq: stream.seq, offset: stream.offset, data });
  };

  return {
    push(commandId, text) {
      if (!text) return;
      let stream = streams.get(commandId);
      if (!stream) {
        stream = { pending: '', seq: 0, offset: 0, timer: null };
        streams.set(commandId, stream);
      }
      if (!listening()) {
        flush(commandId, stream); // the offset counts what was buffered before the last listener left
        stream.offset += Buffer.byteLength(text, 'utf8');
        return;
      }
      stream.pending += text;
      if (stream.pending.length >= MAX_BUFFERED_CHARS) return flush(commandId, stream);
      if (!stream.timer) {
        const target = stream;
        stream.timer = setTimeout(() => flush(commandId, target), windowMs);
      }
    },
    finish(commandId) {
      const stream = streams.get(commandId);
      if (!stream) return;
      flush(commandId, stream);
      streams.delete(commandId);
    },
    dispose() {
      for (const [id, stream] of streams) flush(id, stream);
      streams.clear();
    },
  };
}
