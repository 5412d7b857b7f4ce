import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { CommandView } from '../../../src-main/core/contract/types.js';
import type { UiClient } from '../transport/index.js';
import { FrameWriter } from '../output/frame-writer.js';
import { OutputFeed } from '../output/output-feed.js';
import { displayFilter, loadOutputMode, saveOutputMode, type OutputMode } from '../output/output-mode.js';
import { DARK_THEME, LIGHT_THEME, prefersDark } from '../output/terminal-theme.js';
import { isFinished } from '../format.js';
import { OutputModeToggle } from './OutputModeToggle.js';

interface OutputViewProps {
  client: UiClient;
  command: CommandView | null;
  linkGeneration: number;
}

const SCROLLBACK_LINES = 5000;
/** A finished command's last line held back for a newline that never came is shown after this pause. */
const HELD_LINE_FLUSH_MS = 500;

/**
 * The selected command's live output in xterm. Text reaches the terminal through an OutputFeed (replay from
 * the log + live events without duplicates) and a FrameWriter (batched per animation frame, paced by xterm's
 * write callback). xterm keeps the viewport where the user scrolled; "Jump to latest" returns to the tail.
 * Between the feed and the writer, the Readable mode renders stream-json lines (output-mode.ts); the feed's
 * offsets count raw log bytes in both modes, and switching modes replays the log in the other one.
 */
export function OutputView({ client, command, linkGeneration }: OutputViewProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<{ term: Terminal; writer: FrameWriter; fit: FitAddon } | null>(null);
  const feedRef = useRef<OutputFeed | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const commandId = command?.id ?? null;
  const outputBytesRef = useRef(0);
  outputBytesRef.current = command?.outputBytes ?? 0;
  const finishedRef = useRef(false);
  finishedRef.current = command ? isFinished(command.status) : false;
  const flushHeldRef = useRef<() => void>(() => {});
  const [mode, setMode] = useState<OutputMode>(loadOutputMode);
  const changeMode = (next: OutputMode) => {
    saveOutputMode(next);
    setMode(next);
  };

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const term = new Terminal({
      disableStdin: true,
      convertEol: true,
      scrollback: SCROLLBACK_LINES,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 12,
      cursorBlink: false,
      cursorInactiveStyle: 'none',
      theme: prefersDark() ? DARK_THEME : LIGHT_THEME,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host);
    const writer = new FrameWriter(term);
    termRef.current = { term, writer, fit };
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // Not laid out yet (hidden tab): the next resize fits it.
      }
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(host);
    const updateBottom = () => {
      const buffer = term.buffer.active;
      setAtBottom(buffer.viewportY >= buffer.baseY);
    };
    const offScroll = term.onScroll(updateBottom);
    const offParsed = term.onWriteParsed(() => {
      updateBottom();
      host.dataset.writtenChars = String(writer.stats.writtenChars);
    });
    const scheme = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onScheme = () => {
      term.options.theme = prefersDark() ? DARK_THEME : LIGHT_THEME;
    };
    scheme?.addEventListener('change', onScheme);
    return () => {
      scheme?.removeEventListener('change', onScheme);
      offScroll.dispose();
      offParsed.dispose();
      observer.disconnect();
      writer.reset();
      term.dispose();
      termRef.current = null;
    };
  }, []);

  // A new selection or mode: clear the terminal, replay the log, follow live events.
  useEffect(() => {
    const parts = termRef.current;
    const host = hostRef.current;
    if (!parts || !host || !commandId) return;
    parts.writer.reset();
    parts.term.reset();
    host.dataset.outputMode = mode;
    const filter = displayFilter(mode);
    let heldTimer: ReturnType<typeof setTimeout> | null = null;
    const flushHeld = () => {
      if (heldTimer) clearTimeout(heldTimer);
      heldTimer = null;
      if (!filter.holding || !finishedRef.current) return;
      heldTimer = setTimeout(() => parts.writer.push(filter.flush()), HELD_LINE_FLUSH_MS);
    };
    flushHeldRef.current = flushHeld;
    const feed = new OutputFeed(client, commandId, {
      write: (text) => {
        parts.writer.push(filter.push(text));
        host.dataset.logOffset = String(feed.offset);
        flushHeld();
      },
      // Bytes were skipped: the line in progress is broken, so show what was held of it as it is.
      notice: (text) => parts.writer.push(`${filter.flush()}\r\n\x1b[2m${text}\x1b[0m\r\n`),
    });
    feedRef.current = feed;
    host.dataset.outputCommand = commandId;
    const off = client.subscribe((event) => {
      if (event.type === 'output') {
        feed.onEvent(event);
        host.dataset.logOffset = String(feed.offset);
      }
    });
    void feed.start(outputBytesRef.current);
    return () => {
      off();
      feed.dispose();
      feedRef.current = null;
      if (heldTimer) clearTimeout(heldTimer);
      flushHeldRef.current = () => {};
    };
  }, [client, commandId, mode]);

  const outputBytes = command?.outputBytes ?? 0;
  const finished = command ? isFinished(command.status) : false;
  useEffect(() => {
    feedRef.current?.noteLogSize(outputBytes, finished);
    flushHeldRef.current();
  }, [outputBytes, finished]);

  // After a reconnect, events sent while we were away are gone: read them from the log.
  useEffect(() => {
    if (linkGeneration > 1) void feedRef.current?.resync();
  }, [linkGeneration]);

  return (
    <section className="output" aria-label="Live output">
      <OutputModeToggle mode={mode} onChange={changeMode} />
      <div className="terminal-host" ref={hostRef} data-testid="terminal" />
      {!command && (
        <div className="terminal-empty muted" data-testid="output-empty">
          Select a command to see its output.
        </div>
      )}
      {command && command.outputBytes === 0 && !finished && command.status !== 'running' && (
        <div className="terminal-empty muted">No output yet: the command has not started.</div>
      )}
      {command && command.outputBytes === 0 && finished && !command.startedAt && (
        <div className="terminal-empty muted" data-testid="output-never-started">
          No output: the command never started.
        </div>
      )}
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={() => termRef.current?.term.scrollToBottom()}>
          ↓ Jump to latest
        </button>
      )}
    </section>
  );
}
