import { describe, expect, it } from 'vitest';
import { jsonRowBytes } from '../../../../src-main/core/commands/supabase/json-body.js';

/** The result row's body is serialized in slices: it must be byte for byte what JSON.stringify gives. */
describe('JSON body of a row', () => {
  const SLICE = 64 * 1024;
  const pieces = ['a', 'é', '✔', '😀', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u2028', '\ud83d', '\ude00', ' '];
  const randomText = (length: number, seed: number): string => {
    let x = seed;
    let text = '';
    while (text.length < length) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      text += pieces[x % pieces.length];
    }
    return text;
  };

  it('equals JSON.stringify for long strings, with pairs, lone surrogates and escapes on the slice edges', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const stdout = randomText(3 * SLICE + seed * 7, seed);
      const row = { command_id: 'c', stdout, stderr: randomText(100, seed + 100), exit_code: seed, error_message: null, stdout_truncated: true, skipped: undefined };
      expect(jsonRowBytes(row).equals(Buffer.from(JSON.stringify(row)))).toBe(true);
    }
  });

  it('keeps a surrogate pair whole when a slice would end between its halves', () => {
    for (const offset of [-2, -1, 0, 1]) {
      const stdout = 'x'.repeat(SLICE + offset) + '😀'.repeat(4) + '"end"';
      const row = { stdout };
      const bytes = jsonRowBytes(row);
      expect(bytes.equals(Buffer.from(JSON.stringify(row)))).toBe(true);
      expect((JSON.parse(bytes.toString('utf8')) as { stdout: string }).stdout).toBe(stdout);
    }
  });
});
