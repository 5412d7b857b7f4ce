import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAnsiStripper, stripAnsi } from '../../../src-main/core/contract/ansi-stripper.js';
import { BoundedLog, omittedMarker } from '../../../src-main/core/run/output/bounded-log.js';
import { LineSplitter } from '../../../src-main/core/run/output/line-splitter.js';
import { StreamJsonSummary } from '../../../src-main/core/contract/stream-json/summary.js';
import { TailBuffer } from '../../../src-main/core/run/output/tail-buffer.js';
import { createUtf8Stream } from '../../../src-main/core/run/output/utf8-stream.js';

const tmp = mkdtempSync(join(tmpdir(), 'beacon-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function splitAll(chunks: string[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return lines;
}

describe('UTF-8 stream', () => {
  it('carries a code point split across chunks', () => {
    const bytes = Buffer.from('a😀b€', 'utf8');
    const stream = createUtf8Stream();
    let out = '';
    for (const byte of bytes) out += stream.push(Uint8Array.of(byte));
    out += stream.end();
    expect(out).toBe('a😀b€');
    expect(out).not.toContain('\uFFFD');
  });
  it('decodes invalid and truncated sequences as TextDecoder does, however the bytes are split', () => {
    const bytes = Buffer.from('41eda080c0aff4908080e282ace0f09f98ff80e282', 'hex');
    const expected = new TextDecoder().decode(bytes);
    for (const size of [1, 2, 3, 5, bytes.length]) {
      const stream = createUtf8Stream();
      let out = '';
      for (let i = 0; i < bytes.length; i += size) out += stream.push(bytes.subarray(i, i + size));
      expect(out + stream.end()).toBe(expected);
    }
  });
});

describe('line splitter', () => {
  it('joins partial lines across chunks and drops the \\r of \\r\\n', () => {
    expect(splitAll(['{"a":', '1}\r', '\n{"b"', ':2}\r\n', 'tail'])).toEqual(['{"a":1}', '{"b":2}', 'tail']);
  });
  it('never splits on U+2028/U+2029', () => {
    expect(splitAll(['{"t":"x\u2028y\u2029z"}\n'])).toEqual(['{"t":"x\u2028y\u2029z"}']);
  });
  it('skips an overlong line up to its end and keeps going', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), 10);
    splitter.push('short\n0123456');
    splitter.push('789abcdef and more');
    splitter.push(' still\nnext\n');
    expect(lines).toEqual(['short', 'next']);
  });
});

describe('stream-json summary', () => {
  const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 's-1', model: 'm-1', claude_code_version: '2.1.330' });
  const toolUse = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'hi\u2028there' }, { type: 'tool_use', id: 't1', name: 'Bash' }] } });
  const result = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok', total_cost_usd: 0.5, duration_ms: 10, num_turns: 3 });

  it('parses init, assistant text, tool uses and the result; ignores non-JSON lines', () => {
    const parser = new StreamJsonSummary();
    const text = ['garbage line', init, '[1,2]', '{"no_type":1}', toolUse, '{broken', result].join('\r\n') + '\r\n';
    // Feed through the splitter in 7-byte pieces, decoded with the streaming decoder.
    const bytes = Buffer.from(text, 'utf8');
    const decoder = createUtf8Stream();
    let resultLines = 0;
    const splitter = new LineSplitter((line) => {
      if (parser.ingestLine(line).isResult) resultLines++;
    });
    for (let i = 0; i < bytes.length; i += 7) splitter.push(decoder.push(bytes.subarray(i, i + 7)));
    splitter.end();
    const s = parser.summary;
    expect(resultLines).toBe(1);
    expect(s).toMatchObject({ sessionId: 's-1', model: 'm-1', cliVersion: '2.1.330', costUsd: 0.5, durationMs: 10, numTurns: 3, isError: false, resultText: 'ok', resultSubtype: 'success', errorText: null });
    expect(s.assistantText).toBe('hi\u2028there');
    expect(s.toolUses).toEqual([{ id: 't1', name: 'Bash' }]);
  });

  it('joins result errors into errorText', () => {
    const parser = new StreamJsonSummary();
    parser.ingestLine(JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: true, errors: ['first', 'second'], num_turns: 50 }));
    expect(parser.summary).toMatchObject({ isError: true, errorText: 'first\nsecond', resultSubtype: 'error_max_turns', resultText: null });
  });

  it('keeps the CLI\'s own reason, the API error status and the last plain error line for the failure message', () => {
    const parser = new StreamJsonSummary();
    parser.ingestLine(JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 1, error_status: 529, error: 'overloaded' }));
    expect(parser.summary).toMatchObject({ apiErrorStatus: 529, apiError: 'overloaded' });
    parser.ingestLine(JSON.stringify({ type: 'result', subtype: 'success', is_error: true, api_error_status: 401, result: 'Invalid API key · Fix external API key' }));
    expect(parser.summary).toMatchObject({ errorText: 'Invalid API key · Fix external API key', apiErrorStatus: 401 });
    // Plain text before any JSON (a bad option), split across chunks; JSON lines are never taken for it.
    const plain = new StreamJsonSummary();
    plain.notePlainText("error: unknown opt");
    plain.notePlainText("ion '--x'\n{\"type\":\"error\"}\n");
    expect(plain.summary.lastErrorLine).toBe("error: unknown option '--x'");
  });

  it('counts refused tool uses and names what each was aimed at', () => {
    const parser = new StreamJsonSummary();
    const denials = [
      { tool_name: 'Write', tool_use_id: 'a', tool_input: { file_path: '/w/a.txt', content: 'x' } },
      { tool_name: 'Bash', tool_use_id: 'b', tool_input: { command: 'rm -rf\n/tmp/x' } },
      ...Array.from({ length: 60 }, (_, i) => ({ tool_name: 'WebFetch', tool_use_id: `c${i}`, tool_input: {} })),
    ];
    parser.ingestLine(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok', permission_denials: denials }));
    const s = parser.summary;
    expect(s.permissionDenialCount).toBe(62);
    expect(s.permissionDenials).toHaveLength(50);
    // The tool use id too: a denial through one of Beacon's permission requests is matched by it (explain.ts).
    expect(s.permissionDenials!.slice(0, 3)).toEqual([
      { tool: 'Write', target: '/w/a.txt', toolUseId: 'a' }, { tool: 'Bash', target: 'rm -rf /tmp/x', toolUseId: 'b' }, { tool: 'WebFetch', target: null, toolUseId: 'c0' },
    ]);
  });

  it('a required character spares lines without it, also across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), undefined, '{');
    splitter.push('plain\r\n{"a":1}\r\nmore plain\r\n^D\b\b{"b":2}\r\nflood tail{"type":"x"}\r\npla');
    splitter.push('in\r\n{"c":');
    splitter.push('3}\r\n');
    expect(lines).toEqual(['{"a":1}', '^D\b\b{"b":2}', 'flood tail{"type":"x"}', 'plain', '{"c":3}']);
  });

  it('finds a JSON line that plain text ran into', () => {
    const parser = new StreamJsonSummary();
    parser.ingestLine('flood-0123456789-abc{"type":"result","subtype":"success","is_error":false,"num_turns":4}');
    expect(parser.summary.numTurns).toBe(4);
  });

  it('accepts a line prefixed by the echoed ^D', () => {
    const parser = new StreamJsonSummary();
    parser.ingestLine('^D\b\b' + init);
    expect(parser.summary.sessionId).toBe('s-1');
  });
});

describe('ANSI stripper', () => {
  it('removes CSI, OSC and other escapes, also split across chunks, and normalises \\r', () => {
    const input = '\u001b[32mgreen\u001b[0m \u001b]0;title\u0007x\u001b]8;;http://a\u001b\\link\u001b]8;;\u001b\\ \u001b(Bdone\r\n10%\r20%\r\r\nend\u0008';
    expect(stripAnsi(input)).toBe('green xlink done\n10%\n20%\nend');
    const stripper = createAnsiStripper();
    let out = '';
    for (const ch of input) out += stripper.push(ch);
    out += stripper.end();
    expect(out).toBe('green xlink done\n10%\n20%\nend');
  });
});

describe('ANSI stripper fast path', () => {
  it('gives the same text for chunks (plain ones take the fast path) as for one character at a time', () => {
    const plain = ['plain text ', '\r\n', '\n', '\t', 'é€😀'];
    const controls = ['\r', '\u001b[31m', '\u001b]0;title\u0007', '\u0007', '\u009b1m'];
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const strip = (chunks: string[]): string => {
      const stripper = createAnsiStripper();
      return chunks.map((chunk) => stripper.push(chunk)).join('') + stripper.end();
    };
    for (let round = 0; round < 300; round++) {
      const pieces = Array.from({ length: 30 }, () => (random(10) < 8 ? plain[random(plain.length)]! : controls[random(controls.length)]!));
      const text = pieces.join('');
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + random(40);
        chunks.push(text.slice(at, at + size));
        at += size;
      }
      const expected = strip([...text]);
      expect(strip([text])).toBe(expected);
      expect(strip(chunks)).toBe(expected);
    }
    expect(stripAnsi('a\r\nb\r\n\tc')).toBe('a\nb\n\tc');
  });
});

describe('tail buffer', () => {
  it('keeps the last characters only', () => {
    const tail = new TailBuffer(100_000);
    for (let i = 0; i < 5000; i++) tail.push(`line ${String(i).padStart(5, '0')} ${'x'.repeat(50)}\n`);
    const text = tail.take();
    expect(text.length).toBe(100_000);
    expect(tail.truncated).toBe(true);
    const unicode = new TailBuffer(10);
    unicode.push('€€'); // 6 bytes
    unicode.push('€€'); // 12 bytes: the first '€' loses 2 of its 3 bytes, and is dropped whole
    expect(unicode.take()).toBe('€€€');
    expect(text.endsWith(`line 04999 ${'x'.repeat(50)}\n`)).toBe(true);
    const wrapped = new TailBuffer(8);
    wrapped.push('abcdef');
    wrapped.push('ghij✔'); // 13 bytes in all: the ring wraps, and take() rotates it in place
    expect(wrapped.take()).toBe('fghij✔');
    expect(wrapped.take()).toBe(''); // taken once: the ring is released
    const small = new TailBuffer(100);
    small.push('abc');
    expect(small.take()).toBe('abc');
    expect(small.truncated).toBe(false);
  });
});

describe('bounded log', () => {
  async function writeLog(name: string, max: number, chunks: Buffer[]): Promise<{ content: Buffer; omitted: number; total: number }> {
    const path = join(tmp, 'nested', name);
    const log = new BoundedLog(path, max);
    for (const c of chunks) log.write(c);
    const { omittedBytes, totalBytes } = await log.close();
    return { content: readFileSync(path), omitted: omittedBytes, total: totalBytes };
  }
  const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => String.fromCharCode(33 + (i % 90))).join(''));

  it('keeps everything when it fits', async () => {
    const { content, omitted } = await writeLog('fits.log', 3000, [data.subarray(0, 1000), data.subarray(1000)]);
    expect(content.equals(data)).toBe(true);
    expect(omitted).toBe(0);
  });

  it.each([1, 7, 333, 1500, 3000])('keeps head + marker + tail with chunks of %i bytes', async (size) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += size) chunks.push(Buffer.from(data.subarray(i, i + size)));
    const { content, omitted, total } = await writeLog(`chunks-${size}.log`, 1001, chunks);
    expect(total).toBe(3000);
    expect(omitted).toBe(1999);
    const expected = Buffer.concat([data.subarray(0, 500), Buffer.from(omittedMarker(1999)), data.subarray(3000 - 501)]);
    expect(content.toString()).toBe(expected.toString());
  });
});
