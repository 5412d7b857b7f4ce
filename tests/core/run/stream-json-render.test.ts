import { describe, expect, it } from 'vitest';
import { StreamJsonRenderStream, renderStreamJsonText } from '../../../src-main/core/contract/stream-json/render-stream.js';
import { clip, formatCost, formatDuration, renderStreamJsonLine } from '../../../src-main/core/contract/stream-json/render.js';

// Lines in the shape `claude -p --output-format stream-json --verbose` writes them (the SDKMessage shapes of @anthropic-ai/claude-agent-sdk), one run.
const RECORDED = [
  '{"type":"system","subtype":"init","cwd":"/Users/dev/repo","session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","tools":["Task","Bash","Glob","Grep","Read","Edit","Write","TodoWrite"],"mcp_servers":[],"model":"claude-sonnet-4-5-20250929","permissionMode":"acceptEdits","slash_commands":["compact","review"],"apiKeySource":"none","claude_code_version":"2.1.330","output_style":"default","agents":[],"uuid":"1b0e9d6e-7f61-4d6b-a8f0-3c2d6e0f4a11"}',
  '{"type":"assistant","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"I\'ll look at the failing test first."}],"stop_reason":null,"usage":{"input_tokens":4,"output_tokens":9}},"parent_tool_use_id":null,"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","uuid":"u1"}',
  '{"type":"assistant","message":{"id":"msg_01","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"npm test -- --run tests/parser.test.ts","description":"Run the parser tests"}}]},"parent_tool_use_id":null,"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","uuid":"u2"}',
  '{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_01","type":"tool_result","content":"\\n FAIL  tests/parser.test.ts > parses dates\\nAssertionError: expected 1 to be 2","is_error":true}]},"parent_tool_use_id":null,"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","uuid":"u3","tool_use_result":"Error: FAIL"}',
  '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_02","name":"Read","input":{"file_path":"/Users/dev/repo/src/parser.ts"}}]},"parent_tool_use_id":null,"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","uuid":"u4"}',
  '{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_02","type":"tool_result","content":[{"type":"text","text":"     1\\texport function parse(s: string) {\\n     2\\t  return 1;\\n"}]}]},"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","uuid":"u5"}',
  '{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Fixed"}},"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","parent_tool_use_id":null,"uuid":"u6"}',
  '{"type":"assistant","message":{"content":[{"type":"text","text":"Fixed the off-by-one.\\n\\nAll tests pass now."}]},"parent_tool_use_id":null,"session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","uuid":"u7"}',
  '{"type":"result","subtype":"success","is_error":false,"duration_ms":83412,"duration_api_ms":61000,"num_turns":6,"result":"Fixed the off-by-one.\\n\\nAll tests pass now.","stop_reason":"end_turn","session_id":"9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90","total_cost_usd":0.0871234,"usage":{"input_tokens":20,"output_tokens":400},"modelUsage":{},"permission_denials":[],"uuid":"u8"}',
];

const READABLE = [
  '● Claude 2.1.330 · model claude-sonnet-4-5-20250929 · session 9a1f3c2e-58b4-4c1e-9d0e-2f6f1b7c8d90',
  "I'll look at the failing test first.",
  '▸ Bash npm test -- --run tests/parser.test.ts',
  '  ↳ error: FAIL  tests/parser.test.ts > parses dates',
  '▸ Read /Users/dev/repo/src/parser.ts',
  '  ↳ 1\texport function parse(s: string) {'.replace('\t', ' '),
  'Fixed the off-by-one.',
  '',
  'All tests pass now.',
  '✔ Done · 1 min 23 s · 6 turns · $0.0871',
];

const ESC = '\x1b';
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

describe('one stream-json line', () => {
  it('renders a recorded run line by line (plain)', () => {
    const lines = RECORDED.flatMap((line) => renderStreamJsonLine(line, 'plain') ?? [`RAW ${line}`]);
    expect(lines).toEqual(READABLE);
  });

  it('ansi flavour styles the same text; plain has no escapes at all', () => {
    for (const line of RECORDED) {
      const plain = renderStreamJsonLine(line, 'plain')!;
      const ansi = renderStreamJsonLine(line, 'ansi')!;
      expect(plain.join('\n')).not.toContain(ESC);
      expect(ansi.map((l) => l.replace(SGR, ''))).toEqual(plain);
    }
    expect(renderStreamJsonLine(RECORDED[0]!, 'ansi')![0]!.startsWith(`${ESC}[1m● Claude`)).toBe(true);
    expect(renderStreamJsonLine(RECORDED[3]!, 'ansi')![0]!.startsWith(`${ESC}[1;31m  ↳ error:`)).toBe(true);
    expect(renderStreamJsonLine(RECORDED[8]!, 'ansi')![0]!.startsWith(`${ESC}[1;32m✔ Done`)).toBe(true);
  });

  it('other system subtypes are one dim line', () => {
    const sys = (extra: object) => renderStreamJsonLine(JSON.stringify({ type: 'system', session_id: 's', ...extra }), 'ansi')!;
    expect(sys({ subtype: 'api_retry', attempt: 2, max_retries: 10, retry_delay_ms: 1500, error_status: 529 })).toEqual([
      `${ESC}[2m· API request failed, retrying · attempt 2/10 · in 1.5 s · status 529${ESC}[0m`,
    ]);
    expect(sys({ subtype: 'compact_boundary', compact_metadata: { trigger: 'auto', pre_tokens: 154000 } })).toEqual([
      `${ESC}[2m· conversation compacted · auto · 154000 tokens before${ESC}[0m`,
    ]);
    expect(sys({ subtype: 'status', status: 'compacting' })).toEqual([`${ESC}[2m· status: compacting${ESC}[0m`]);
    expect(sys({ subtype: 'hook_started' })).toEqual([`${ESC}[2m· hook_started${ESC}[0m`]);
  });

  it('summarises tool input: the command, the file, or compact JSON of at most 120 characters', () => {
    const tool = (name: string, input: unknown) =>
      renderStreamJsonLine(JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't', name, input }] } }), 'plain')![0];
    expect(tool('Edit', { file_path: '/r/a.ts', old_string: 'x', new_string: 'y' })).toBe('▸ Edit /r/a.ts');
    expect(tool('Write', { file_path: '/r/b.ts', content: 'long' })).toBe('▸ Write /r/b.ts');
    expect(tool('Bash', { command: 'cd /r &&\nnpm test' })).toBe('▸ Bash cd /r && …');
    expect(tool('Grep', { pattern: 'TODO', path: 'src' })).toBe('▸ Grep {"pattern":"TODO","path":"src"}');
    expect(tool('TodoWrite', {})).toBe('▸ TodoWrite');
    const long = tool('WebFetch', { url: 'https://example.com/' + 'a'.repeat(300), prompt: 'summarise' })!;
    expect(long.startsWith('▸ WebFetch {"url":"https://example.com/aaa')).toBe(true);
    expect(long.slice('▸ WebFetch '.length)).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });

  it('tool results: first non-empty line, at most 120 characters; empty and error results say so', () => {
    const result = (content: unknown, isError = false) =>
      renderStreamJsonLine(JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content, is_error: isError }] } }), 'plain');
    expect(result('x'.repeat(500))).toEqual([`  ↳ ${'x'.repeat(119)}…`]);
    expect(result('')).toEqual(['  ↳ (no output)']);
    expect(result([{ type: 'image', source: {} }])).toEqual(['  ↳ [image]']);
    expect(result('\u001b[31mred\u001b[0m line\nsecond')).toEqual(['  ↳ red line']);
    expect(result('permission denied', true)).toEqual(['  ↳ error: permission denied']);
    // A user frame without tool results (a replayed prompt) shows nothing.
    expect(renderStreamJsonLine(JSON.stringify({ type: 'user', message: { role: 'user', content: 'hello' } }), 'plain')).toEqual([]);
  });

  it('results: success with duration, turns and cost; errors with their subtype and reasons', () => {
    const result = (event: object) => renderStreamJsonLine(JSON.stringify({ type: 'result', ...event }), 'plain');
    expect(result({ subtype: 'success', is_error: false, duration_ms: 860, num_turns: 1, total_cost_usd: 2.5 })).toEqual(['✔ Done · 0.9 s · 1 turn · $2.50']);
    expect(result({ subtype: 'error_max_turns', is_error: true, errors: ['Reached maximum number of turns (3)'] })).toEqual(['✖ error_max_turns: Reached maximum number of turns (3)']);
    expect(result({ subtype: 'error_during_execution', is_error: true, errors: ['a\nb', { code: 1 }] })).toEqual(['✖ error_during_execution: a b; {"code":1}']);
    expect(result({ subtype: 'success', is_error: true, result: 'Invalid API key · Please run /login' })).toEqual(['✖ error: Invalid API key · Please run /login']);
    expect(result({ subtype: 'error_max_budget_usd', is_error: true })).toEqual(['✖ error_max_budget_usd']);
  });

  it('returns null for what it does not know, so the caller shows the line as it is', () => {
    expect(renderStreamJsonLine('plain text', 'plain')).toBeNull();
    expect(renderStreamJsonLine('{"a":1}', 'plain')).toBeNull();
    expect(renderStreamJsonLine('{"type":"rate_limit_event","info":{}}', 'plain')).toBeNull();
    expect(renderStreamJsonLine('{"type":"result", broken', 'plain')).toBeNull();
    expect(renderStreamJsonLine(RECORDED[6]!, 'plain')).toEqual([]); // partials: the full message follows
  });

  it('assistant text keeps its escapes only in the ansi flavour; unicode is kept whole', () => {
    const line = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: '\u001b[32mgrün ✓ 完成 😀\u001b[0m' }] } });
    expect(renderStreamJsonLine(line, 'plain')).toEqual(['grün ✓ 完成 😀']);
    expect(renderStreamJsonLine(line, 'ansi')).toEqual(['\u001b[32mgrün ✓ 完成 😀\u001b[0m']);
  });

  it('clips by code point, never inside a surrogate pair', () => {
    const emoji = '😀'.repeat(200);
    const clipped = clip(emoji, 120);
    expect(Array.from(clipped)).toHaveLength(120);
    expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(clip('short', 120)).toBe('short');
    expect(formatDuration(7_512_000)).toBe('2 h 5 min');
    expect(formatCost(0.00005)).toBe('$0.0001');
  });
});

describe('streaming transform', () => {
  const transcript = RECORDED.join('\n') + '\n';
  const expected = READABLE.join('\n') + '\n';

  function feed(chunks: string[], flavour: 'plain' | 'ansi' = 'plain'): { out: string; pieces: string[] } {
    const stream = new StreamJsonRenderStream(flavour);
    const pieces = chunks.map((c) => stream.push(c));
    pieces.push(stream.flush());
    return { out: pieces.join(''), pieces };
  }

  function splitAt(text: string, size: number): string[] {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    return chunks;
  }

  it('gives the same text however the input is cut into chunks', () => {
    expect(renderStreamJsonText(transcript, 'plain')).toBe(expected);
    for (const size of [1, 2, 3, 7, 64, 1000]) expect(feed(splitAt(transcript, size)).out, `chunks of ${size}`).toBe(expected);
  });

  it('keeps \\r\\n line endings (a pty) in rendered lines', () => {
    const crlf = RECORDED.join('\r\n') + '\r\n';
    expect(feed(splitAt(crlf, 5)).out).toBe(READABLE.join('\r\n') + '\r\n');
  });

  it('passes non-JSON text through byte for byte, and at once when it cannot become JSON', () => {
    const text = 'plain {not json}\r\n  { "a": 1 }\n^D\b\b^X\n\t{\n{"type":"unknown"}\nprogress 10%\rprogress 20%\r\nend {"typo":1} ^';
    for (const size of [1, 2, 3, 5, 11, text.length]) expect(feed(splitAt(text, size)).out, `chunks of ${size}`).toBe(text);
    // A partial plain line is shown before its newline; a partial JSON line waits for its end.
    const stream = new StreamJsonRenderStream('ansi');
    expect(stream.push('Password: ')).toBe('Password: ');
    expect(stream.push('ok\n{"type":"result","subtype":"succ')).toBe('ok\n');
    expect(stream.push('ess","is_error":false,"num_turns":2}\n')).toBe(`${ESC}[1;32m✔ Done · 2 turns${ESC}[0m\n`);
  });

  it('renders a line behind the echoed ^D and after text that ran into it', () => {
    const init = RECORDED[0]!;
    const result = RECORDED[8]!;
    const text = `^D\b\b${init}\r\nflood-0123456789-abc${result}\r\ntail`;
    const want = `${READABLE[0]}\r\nflood-0123456789-abc\r\n${READABLE[9]}\r\ntail`;
    for (const size of [1, 4, 9, 100, text.length]) expect(feed(splitAt(text, size)).out, `chunks of ${size}`).toBe(want);
  });

  it('flush renders a last line without a newline and releases a held fragment', () => {
    const stream = new StreamJsonRenderStream('plain');
    expect(stream.push(RECORDED[8]!)).toBe('');
    expect(stream.flush()).toBe(READABLE[9] + '\n');
    expect(stream.push('  ')).toBe('');
    expect(stream.flush()).toBe('  ');
    expect(stream.push('{"type":"result"')).toBe('');
    expect(stream.flush()).toBe('{"type":"result"');
  });

  it('a line longer than maxLineChars passes through unrendered instead of growing without bound', () => {
    const stream = new StreamJsonRenderStream('plain', { maxLineChars: 100 });
    const big = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'x'.repeat(300) }] } });
    const out = stream.push(big.slice(0, 50)) + stream.push(big.slice(50, 150)) + stream.push(big.slice(150) + '\n') + stream.flush();
    expect(out).toBe(big + '\n');
    expect(renderStreamJsonText(RECORDED[7] + '\n', 'plain')).toBe('Fixed the off-by-one.\n\nAll tests pass now.\n');
  });

  it('a plain flood passes through unchanged and quickly', () => {
    const line = 'flood-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789\n';
    const chunk = line.repeat(800).slice(0, 65536);
    const stream = new StreamJsonRenderStream('ansi');
    const started = performance.now();
    let same = true;
    for (let i = 0; i < 320; i++) same = stream.push(chunk) === chunk && same; // 20 MB
    const ms = performance.now() - started;
    expect(same).toBe(true);
    console.log(`stream-json render: 20 MB of plain text in ${ms.toFixed(0)} ms`);
  });

  it('agrees with the whole-text rendering for random cuts of mixed text', () => {
    const mixed = `noise {"type":\n${RECORDED.join('\r\n')}\r\n{"type":"x"}\n^D\b\b${RECORDED[1]}\n😀 ünï {"type":"result","subtype":"success","num_turns":1}\n`;
    const whole = renderStreamJsonText(mixed, 'ansi');
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const chunks: string[] = [];
      for (let i = 0; i < mixed.length; ) {
        const size = 1 + Math.floor(random() * 40);
        chunks.push(mixed.slice(i, i + size));
        i += size;
      }
      expect(feed(chunks, 'ansi').out).toBe(whole);
    }
    expect(whole).toContain('noise {"type":\n');
    expect(whole).toContain('{"type":"x"}\n');
    expect(whole).toContain('😀 ünï \n');
  });
});
