/**
 * Streaming removal of terminal escapes for database sinks and files: CSI (ESC [ … final, and 8-bit CSI),
 * OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings (… ST) and other two-byte escapes. Escapes split
 * across chunks are handled by keeping the state between calls. Line endings: "\r\n" (what a pty
 * makes of "\n") becomes "\n"; a lone "\r" (a progress line being redrawn) also becomes "\n", so the
 * redraws read as separate lines instead of running together. Other C0 controls except tab are dropped.
 *
 * With `keepColours` (readable output shown on a terminal: `beacon logs` on a tty, the UI's readable mode)
 * colour and style sequences (SGR: ESC [ digits ; : m) are kept and "\r" passes through as it is; everything
 * else a terminal would act on is still dropped: cursor show/hide, mouse and keyboard modes, title changes,
 * queries a terminal would answer (ESC [ 6 n, ESC [ c, OSC … ?).
 */
export interface AnsiStripperOptions {
  keepColours?: boolean;
}
type State =
  | 'text'
  | 'escape' // after ESC
  | 'escapeIntermediate' // ESC followed by 0x20–0x2F, waiting for the final byte
  | 'csi' // inside a control sequence, until a byte in 0x40–0x7E
  | 'string' // OSC/DCS/SOS/PM/APC body, until BEL (OSC) or ST
  | 'stringEscape'; // ESC inside a string: '\' ends it (ST)

export interface AnsiStripper {
  push(text: string): string;
  end(): string;
}

const ESC = '\u001b';
/** C0 controls, DEL and C1 controls: everything the text state must look at. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Anything the fast path cannot pass on as it is: controls other than tab and newline, and a "\r" not
 * followed by "\n" (a redraw, or a "\r\n" split across chunks).
 */
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/;
/** With keepColours: anything but tab, newline and carriage return needs a look. */
// eslint-disable-next-line no-control-regex
const NOT_PLAIN_KEEPING_CR = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f]/;
/** Parameters of a colour/style sequence: no private marker ("?", ">", "<", "="), no intermediates. */
const SGR_PARAMETERS = /^[0-9;:]*$/;
/** A CSI longer than this is not a colour: it is dropped without being kept in memory. */
const MAX_KEPT_CSI = 64;

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}
const BEL = '\u0007';

export function createAnsiStripper(options: AnsiStripperOptions = {}): AnsiStripper {
  const keepColours = options.keepColours ?? false;
  let state: State = 'text';
  let pendingCarriageReturn = false;
  /** With keepColours: the parameters of the CSI being read (null once it cannot be a colour). */
  let csi: string | null = null;

  const push = (text: string): string => {
    // Plain lines as a pty gives them ("\r\n" endings) are most of a flood: one native replace per chunk
    // instead of a slice and a concatenation per line (in a CPU profile of a 200 MB flood this loop and its
    // regex were the executor's largest cost).
    if (keepColours) {
      if (state === 'text' && !NOT_PLAIN_KEEPING_CR.test(text)) return text;
    } else if (state === 'text' && !pendingCarriageReturn && !NOT_PLAIN.test(text)) return text.replaceAll('\r\n', '\n');
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      const code = ch.charCodeAt(0);
      switch (state) {
        case 'text': {
          if (!isControl(code)) {
            if (pendingCarriageReturn) {
              out += '\n';
              pendingCarriageReturn = false;
            }
            // Copy the whole run of plain characters up to the next control character at once.
            CONTROL.lastIndex = i;
            const next = CONTROL.exec(text);
            const runEnd = next ? next.index : text.length;
            out += text.slice(i, runEnd);
            i = runEnd - 1;
            continue;
          }
          if (keepColours && (ch === '\n' || ch === '\r' || ch === '\t')) {
            out += ch;
          } else if (ch === '\n') {
            out += '\n';
            pendingCarriageReturn = false;
          } else if (ch === '\r') {
            pendingCarriageReturn = true; // "\r\r\n" and "\r\n" both end one line
          } else if (ch === '\t') {
            if (pendingCarriageReturn) out += '\n';
            pendingCarriageReturn = false;
            out += '\t';
          } else if (ch === ESC) {
            state = 'escape';
          } else if (code === 0x9b) {
            state = 'csi';
            csi = null; // 8-bit CSI: never kept
          } else if (code === 0x9d || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f) {
            state = 'string';
          }
          // other C0/C1 controls (BEL, backspace, ^D echo, …) are dropped
          break;
        }
        case 'escape':
          if (ch === '[') {
            state = 'csi';
            csi = '';
          } else if (ch === ']' || ch === 'P' || ch === 'X' || ch === '^' || ch === '_') {
            state = 'string';
          } else if (code >= 0x20 && code <= 0x2f) {
            state = 'escapeIntermediate';
          } else {
            state = 'text'; // two-byte escape such as ESC 7, ESC =, ESC M
          }
          break;
        case 'escapeIntermediate':
          if (!(code >= 0x20 && code <= 0x2f)) state = 'text';
          break;
        case 'csi':
          if (code >= 0x40 && code <= 0x7e) {
            state = 'text';
            if (keepColours && ch === 'm' && csi !== null && SGR_PARAMETERS.test(csi)) out += `${ESC}[${csi}m`;
            csi = null;
          } else if (csi !== null) {
            csi = csi.length < MAX_KEPT_CSI ? csi + ch : null;
          }
          break;
        case 'string':
          if (ch === BEL || code === 0x9c) state = 'text';
          else if (ch === ESC) state = 'stringEscape';
          break;
        case 'stringEscape':
          state = ch === '\\' ? 'text' : ch === ESC ? 'stringEscape' : 'string';
          break;
      }
    }
    return out;
  };

  return {
    push,
    end: () => {
      const out = pendingCarriageReturn ? '\n' : '';
      pendingCarriageReturn = false;
      state = 'text';
      csi = null;
      return out;
    },
  };
}

/** One-shot form for whole strings. */
export function stripAnsi(text: string): string {
  const stripper = createAnsiStripper();
  return stripper.push(text) + stripper.end();
}
