import { createAnsiStripper } from '../../core/contract/ansi-stripper.js';
import type { RenderFlavour } from '../../core/contract/stream-json/render.js';
import { StreamJsonRenderStream } from '../../core/contract/stream-json/render-stream.js';

/**
 * Where `beacon logs` sends the bytes of a command's log: unchanged (--raw), or decoded, cleaned and with each
 * stream-json line rendered readable (detected per line). Cleaned: the terminal control sequences the agent
 * wrote (cursor show/hide, mouse and keyboard modes, title changes, queries) are dropped; on a terminal colours
 * and carriage returns stay (never colours when NO_COLOR is set); to a file or a pipe they go too, and "\r\n"
 * becomes "\n".
 */
export interface LogPrinter {
  write(bytes: Uint8Array): void;
  /** The log is complete: release a last line held without its newline. */
  end(): void;
}

export function createLogPrinter(mode: 'raw' | 'readable', out: NodeJS.WriteStream = process.stdout): LogPrinter {
  if (mode === 'raw') return { write: (bytes) => void out.write(bytes), end: () => {} };
  const decoder = new TextDecoder('utf-8');
  const flavour = readableFlavour(out);
  const clean = createAnsiStripper({ keepColours: flavour === 'ansi' });
  const readable = new StreamJsonRenderStream(flavour);
  const emit = (text: string): void => {
    if (text) out.write(text);
  };
  return {
    write: (bytes) => emit(readable.push(clean.push(decoder.decode(bytes, { stream: true })))),
    end: () => emit(readable.push(clean.push(decoder.decode()) + clean.end()) + readable.flush()),
  };
}

function readableFlavour(out: NodeJS.WriteStream): RenderFlavour {
  return out.isTTY && !process.env.NO_COLOR ? 'ansi' : 'plain';
}
