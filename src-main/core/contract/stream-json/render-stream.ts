import { renderStreamJsonLine, type RenderFlavour } from './render.js';

/**
 * The streaming form of stream-json-render.ts: feed decoded text as it comes, get the readable text.
 * A line that may be a stream-json event (a "{" within its first few characters, or `{"type":` after text
 * that ran into it without a newline) is held until its "\n" and then rendered, or passed through unchanged
 * when it is not an event this knows. Every other line passes through at once, byte for byte, even before
 * its newline arrives (a prompt or a progress bar shows immediately). flush() releases what is held at the
 * end of the stream. Rendered lines end the way the source line ended ("\r\n" or "\n").
 *
 * Only the current line is ever held, bounded by maxLineChars: a longer one is passed through unrendered.
 */
export interface RenderStreamOptions {
  maxLineChars?: number;
}

/** JSON may follow a little junk at the start of a line (macOS echoes the "^D" Beacon writes to stdin). */
const MAX_PREFIX = 8;
const TYPE_KEY = '{"type":';
/** Characters that may precede the "{" of a JSON line: blanks, controls other than "\n", and "^D". */
const JUNK = /^(?:[\x00-\x09\x0b-\x20\x7f]|\^D)*/; // eslint-disable-line no-control-regex

/**
 * What the current line is, and what `held` holds:
 * - lineStart: at the start of a line; held is junk that may still precede a "{".
 * - candidate: the line began like JSON; held is the line so far.
 * - runInto: a plain line reached a "{" that is (or may become) `{"type":`; held is from that "{".
 * - plain: inside a line that is not JSON; nothing is held, text passes through.
 */
type Mode = 'lineStart' | 'candidate' | 'runInto' | 'plain';

export class StreamJsonRenderStream {
  private mode: Mode = 'lineStart';
  private held = '';
  /** Where holdToNewline stopped reading its text. */
  private nextPos = 0;
  private readonly maxLineChars: number;

  constructor(
    readonly flavour: RenderFlavour,
    options: RenderStreamOptions = {},
  ) {
    this.maxLineChars = options.maxLineChars ?? 8 * 1024 * 1024;
  }

  push(text: string): string {
    if (!text) return '';
    if ((this.mode === 'plain' || this.mode === 'lineStart') && text.indexOf('{') < 0) return this.pushWithoutBraces(text);
    let out = '';
    let pos = 0;
    let typeAt = -2; // next `{"type":` in text at or after pos; -2 = not looked for yet
    while (pos < text.length) {
      switch (this.mode) {
        case 'lineStart': {
          const probe = this.held + text.slice(pos, pos + MAX_PREFIX + 1 - this.held.length);
          if (isJunk(probe)) {
            // The text ended inside what may still be junk before a "{".
            this.held = probe;
            pos = text.length;
            break;
          }
          const junk = junkLength(probe);
          if (junk === probe.length) {
            out += this.release('plain'); // junk longer than any prefix a JSON line may have
            break;
          }
          const decider = probe[junk] as string;
          const consumed = junk - this.held.length; // junk characters of `text` before the decider
          if (decider === '{') {
            this.held = probe.slice(0, junk);
            pos += consumed;
            this.mode = 'candidate';
          } else if (decider === '\n') {
            out += probe.slice(0, junk + 1);
            pos += consumed + 1;
            this.held = '';
          } else {
            out += this.release('plain');
          }
          break;
        }
        case 'plain': {
          const newline = text.indexOf('\n', pos);
          const end = newline < 0 ? text.length : newline + 1;
          if (typeAt !== -1 && typeAt < pos) typeAt = text.indexOf(TYPE_KEY, pos);
          if (typeAt >= 0 && typeAt < end) {
            out += text.slice(pos, typeAt);
            pos = typeAt;
            this.mode = 'runInto';
            break;
          }
          if (newline < 0) {
            // A "{" at the very end may begin `{"type":` in the next chunk: hold just that.
            const brace = text.lastIndexOf('{');
            if (brace >= pos && TYPE_KEY.startsWith(text.slice(brace))) {
              out += text.slice(pos, brace);
              this.held = text.slice(brace);
              this.mode = 'runInto';
            } else {
              out += text.slice(pos);
            }
            pos = text.length;
            break;
          }
          out += text.slice(pos, end);
          pos = end;
          this.mode = 'lineStart';
          break;
        }
        case 'runInto':
          if (this.held.length < TYPE_KEY.length) {
            const probe = this.held + text.slice(pos, pos + TYPE_KEY.length - this.held.length);
            if (!TYPE_KEY.startsWith(probe)) {
              out += this.release('plain'); // not an event after all: the rest of the line is plain
              break;
            }
            pos += probe.length - this.held.length;
            this.held = probe;
            break;
          }
          out += this.holdToNewline(text, pos);
          pos = this.nextPos;
          break;
        case 'candidate':
          out += this.holdToNewline(text, pos);
          pos = this.nextPos;
          break;
      }
    }
    return out;
  }

  /** True while part of a line is held back (waiting for its newline). */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** The end of the stream (or a break in it): whatever is held, rendered if it is a whole event. */
  flush(): string {
    const held = this.held;
    const mode = this.mode;
    this.held = '';
    this.mode = 'lineStart';
    if (!held) return '';
    if (mode === 'candidate' || (mode === 'runInto' && held.startsWith(TYPE_KEY))) {
      return this.renderLine(held, mode === 'runInto') ?? held;
    }
    return held;
  }

  /** Adds text up to the next newline to the held line; renders the line once it is whole. */
  private holdToNewline(text: string, pos: number): string {
    const newline = text.indexOf('\n', pos);
    if (newline < 0) {
      this.held += text.slice(pos);
      this.nextPos = text.length;
      // Too long to be worth rendering: show it as it is and let the rest of the line through.
      return this.held.length > this.maxLineChars ? this.release('plain') : '';
    }
    this.nextPos = newline + 1;
    const line = this.held + text.slice(pos, newline);
    const ranInto = this.mode === 'runInto';
    this.held = '';
    this.mode = 'lineStart';
    return this.renderLine(line, ranInto) ?? `${line}\n`;
  }

  /**
   * A whole line (without its "\n"), rendered; null when it is not an event this knows. After text that
   * ran into it, the rendering starts on a line of its own.
   */
  private renderLine(line: string, ranInto: boolean): string | null {
    const crlf = line.endsWith('\r');
    const body = crlf ? line.replace(/\r+$/, '') : line;
    const lines = renderStreamJsonLine(body, this.flavour);
    if (lines === null) return null;
    const eol = crlf ? '\r\n' : '\n';
    const rendered = lines.length ? lines.join(eol) + eol : '';
    return ranInto ? eol + rendered : rendered;
  }

  /** Passes the held text through unchanged and moves to `mode`. */
  private release(mode: Mode): string {
    const held = this.held;
    this.held = '';
    this.mode = mode;
    return held;
  }

  /** No "{" in the chunk: no line in it can become an event; only a junk line start may need holding. */
  private pushWithoutBraces(text: string): string {
    const lastNewline = text.lastIndexOf('\n');
    const before = this.held;
    const inLine = this.mode === 'plain';
    this.held = '';
    if (lastNewline < 0 && inLine) return text;
    const tail = text.slice(lastNewline + 1);
    const tailStart = lastNewline < 0 ? before + tail : tail;
    if (isJunk(tailStart)) {
      this.mode = 'lineStart';
      this.held = tailStart;
      return lastNewline < 0 ? '' : before + text.slice(0, lastNewline + 1);
    }
    this.mode = tail.length > 0 ? 'plain' : 'lineStart';
    return before + text;
  }
}

function junkLength(text: string): number {
  return (JUNK.exec(text) as RegExpExecArray)[0].length;
}

/** Non-empty text that may still be the junk before the "{" of a JSON line (a lone "^" may become "^D"). */
function isJunk(text: string): boolean {
  if (!text || text.length > MAX_PREFIX) return false;
  const junk = junkLength(text);
  return junk === text.length || (junk === text.length - 1 && text.endsWith('^'));
}

/** One-shot form for a whole text (a log read at once). */
export function renderStreamJsonText(text: string, flavour: RenderFlavour): string {
  const stream = new StreamJsonRenderStream(flavour);
  return stream.push(text) + stream.flush();
}
