import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, toolResults, turn, userPrompt, type ModelServer } from '../index.js';

/** The server's wire shapes, read with plain fetch (the CLI-driven self-tests show the CLI accepts them). */

let server: ModelServer;
beforeEach(async () => {
  server = await startModelServer();
});
afterEach(async () => {
  await server.stop();
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text.split('\n\n').filter(Boolean).map((block) => {
    const [eventLine, dataLine] = block.split('\n');
    return { event: eventLine!.replace(/^event: /, ''), data: JSON.parse(dataLine!.replace(/^data: /, '')) as Record<string, unknown> };
  });
}

describe('the scripted Messages API', () => {
  it('answers a non-streaming request with one Message holding the scripted blocks', async () => {
    server.script(turn.tool('Edit', { file_path: '/x', old_string: 'a', new_string: 'b' }, { id: 'toolu_1', say: 'Editing.' }));
    const response = await post('/v1/messages?beta=true', { model: 'claude-test', messages: [{ role: 'user', content: 'go' }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      type: 'message', role: 'assistant', model: 'claude-test', stop_reason: 'tool_use',
      content: [{ type: 'text', text: 'Editing.' }, { type: 'tool_use', id: 'toolu_1', name: 'Edit', input: { file_path: '/x', old_string: 'a', new_string: 'b' } }],
    });
  });

  it('streams text in chunks that never split a surrogate pair, and rebuilds to the scripted text', async () => {
    const text = `${'a'.repeat(3)}😀${'b'.repeat(5)}😀`;
    server.script(turn.text(text, { pacing: { textChunkChars: 4 } }));
    const response = await post('/v1/messages', { model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = sseEvents(await response.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', ...Array(4).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as { text: string }).text);
    expect(deltas.every((piece) => !/[\uD800-\uDBFF]$/.test(piece))).toBe(true);
    expect(deltas.join('')).toBe(text);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    expect(events.find((e) => e.event === 'message_delta')!.data.delta).toMatchObject({ stop_reason: 'end_turn' });
  });

  it('streams thinking with a signature before the text', async () => {
    server.script(turn.blocks([{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'ok' }]));
    const events = sseEvents(await (await post('/v1/messages', { stream: true, messages: [] })).text());
    const deltaTypes = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as { type: string }).type);
    expect(deltaTypes).toEqual(['thinking_delta', 'signature_delta', 'text_delta']);
  });

  it('answers count_tokens and the reachability probe without using the script', async () => {
    server.script(turn.text('kept'));
    const counted = await post('/v1/messages/count_tokens?beta=true', { messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    expect(((await counted.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(100);
    expect((await fetch(server.url, { method: 'HEAD' })).status).toBe(200);
    expect(server.pendingTurns()).toBe(1);
    expect(server.requests.map((r) => r.answer)).toEqual(['count_tokens', 'probe']);
  });

  it('answers a scripted error with the Anthropic error body and the retry headers', async () => {
    server.script(turn.error(429, { retryAfterSeconds: 7, retry: false }));
    const response = await post('/v1/messages', { messages: [] });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'scripted 429' } });
  });

  it('cuts a stream off after the given number of events', async () => {
    server.script(turn.text('never finished', { cutAfterEvents: 2 }));
    const response = await post('/v1/messages', { stream: true, messages: [] });
    await expect(response.text()).rejects.toThrow();
  });

  it('a stalled stream sends its first events, then holds the connection open until the client leaves', async () => {
    server.script(turn.text('stuck', { stallAfterEvents: 1 }));
    const abort = new AbortController();
    const response = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ stream: true }), signal: abort.signal });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(sseEvents(first).map((e) => e.event)).toEqual(['message_start']);
    const next = reader.read();
    abort.abort();
    await expect(next).rejects.toThrow(/abort/i);
  });

  it('records each request byte for byte and reads the prompt and tool results out of it', async () => {
    const prompt = '--version\n- a list item\u2028"quoted" \u{1F600}';
    const body = {
      model: 'm', stream: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>context</system-reminder>' }, { type: 'text', text: prompt }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Write', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'refused\r\n', is_error: true }] },
      ],
    };
    await post('/v1/messages', body);
    const [recorded] = server.messageRequests();
    expect(recorded!.rawBody).toBe(JSON.stringify(body));
    expect(userPrompt(recorded!)).toBe(prompt);
    expect(toolResults(recorded!)).toEqual([{ toolUseId: 't1', content: 'refused\r\n', text: 'refused\r\n', isError: true }]);
    expect(recorded!.answer).toBe('default reply');
  });

  it('refuses unknown paths with a 404 error body and listens on 127.0.0.1 only', async () => {
    const response = await fetch(`${server.url}/v1/models`);
    expect(response.status).toBe(404);
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });
});
