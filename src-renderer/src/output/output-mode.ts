import { createAnsiStripper } from '../../../src-main/core/contract/ansi-stripper.js';
import { StreamJsonRenderStream } from '../../../src-main/core/contract/stream-json/render-stream.js';

/**
 * How the terminal shows an agent's output: `readable` renders stream-json lines (core/contract/stream-json/render.ts,
 * ansi flavour) and passes every other line through; `raw` shows the bytes of the log as they are. Only the
 * display differs: the feed's offsets always count the raw bytes. The choice is remembered in localStorage.
 */
export type OutputMode = 'readable' | 'raw';

const STORAGE_KEY = 'beacon.outputMode';

export function loadOutputMode(): OutputMode {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'raw' ? 'raw' : 'readable';
  } catch {
    return 'readable'; // storage unavailable (a locked-down profile): the default
  }
}

export function saveOutputMode(mode: OutputMode): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, mode);
  } catch {
    // Not remembered; the choice still applies now.
  }
}

/** What the terminal writes for a piece of the log; flush() releases a line held back for its newline. */
export interface DisplayFilter {
  push(text: string): string;
  flush(): string;
  readonly holding: boolean;
}

const RAW: DisplayFilter = { push: (text) => text, flush: () => '', holding: false };

/**
 * Readable: the agent's own terminal control sequences (cursor, mouse and keyboard modes, title, queries) are
 * dropped, colours and carriage returns kept; then the stream-json lines are rendered.
 */
function readableFilter(): DisplayFilter {
  const clean = createAnsiStripper({ keepColours: true });
  const render = new StreamJsonRenderStream('ansi');
  return {
    push: (text) => render.push(clean.push(text)),
    flush: () => render.push(clean.end()) + render.flush(),
    get holding() {
      return render.holding;
    },
  };
}

export function displayFilter(mode: OutputMode): DisplayFilter {
  return mode === 'raw' ? RAW : readableFilter();
}
