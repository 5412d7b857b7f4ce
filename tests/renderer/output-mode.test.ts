import { describe, expect, it } from 'vitest';
import { displayFilter } from '../../src-renderer/src/output/output-mode.js';

/** The UI's readable mode cleans what the agent's CLI wrote for its own terminal; raw shows it as it is. */
describe('the output view\'s display filter', () => {
  // What the real claude CLI 2.1.197 writes at exit in a pty, after its last JSON line.
  const exitSequences = '\x1b[?1006l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[>4m\x1b[<u\x1b[?1004l\x1b[?2031l\x1b[?2004l\x1b[?25h\x1b[r\x1b]0;\x07\x1b[?25h';
  const log = `{"type":"result","subtype":"success","is_error":false,"result":"ok","num_turns":1,"duration_ms":1200,"total_cost_usd":0.01}\r\nplain \x1b[32mgreen\x1b[0m\r\n${exitSequences}`;

  it('readable: the result rendered, colours kept, the terminal modes, cursor and title dropped', () => {
    const filter = displayFilter('readable');
    const shown = filter.push(log) + filter.flush();
    expect(shown).toContain('Done');
    expect(shown).toContain('plain \x1b[32mgreen\x1b[0m\r\n');
    for (const sequence of ['\x1b[?25h', '\x1b]0;', '\x1b[>4m', '\x1b[<u', '\x1b[r', '\x1b[?1000l']) expect(shown).not.toContain(sequence);
  });

  it('raw: byte for byte', () => {
    const filter = displayFilter('raw');
    expect(filter.push(log) + filter.flush()).toBe(log);
  });
});
