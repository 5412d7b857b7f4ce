import type { RenderFlavour } from '../../core/contract/stream-json/render.js';
import { StreamJsonRenderStream } from '../../core/contract/stream-json/render-stream.js';

/**
 * Where `beacon logs` sends the bytes of a command's log: unchanged (--raw), or decoded and with each
 * stream-json line rendered readable (detected per line; other text passes through as it is). Colours
 * only on a terminal, and never when NO_COLOR is set.
 */
export interface LogPrinter {
  write(bytes: Uint8Array): void;
  /** The log is complete: release a last line held without its newline. */
  end(): void;
}

export function createLogPrinter(mode: 'raw' | 'readable', out: NodeJS.WriteStream = process.stdout): LogPrinter {
  if (mode === 'raw') return { write: (bytes) => void out.write(bytes), end: () => {} };
  const decoder = new TextDecoder('utf-8');
  const readable = new StreamJsonRenderStream(readableFlavour(out));
  const emit = (text: string): void => {
    if (text) out.write(text);
  };
  return {
    write: (bytes) => emit(readable.push(decoder.decode(bytes, { stream: true }))),
    end: () => emit(readable.push(decoder.decode()) + readable.flush()),
  };
}

function readableFlavour(out: NodeJS.WriteStream): RenderFlavour {
  return out.isTTY && !process.env.NO_COLOR ? 'ansi' : 'plain';
}
