import type http from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorTypeFor, nextToolUseId, stopReasonOf, type ErrorTurn, type ReplyBlock, type ReplyTurn } from './turns.js';

/** Writing one scripted turn as the Messages API would: a JSON Message, a Server-Sent Events stream, or an error. */

const DEFAULT_CHUNK_CHARS = 16 * 1024;

export function sendError(res: http.ServerResponse, turn: ErrorTurn): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId() };
  if (turn.retry !== undefined) headers['x-should-retry'] = String(turn.retry);
  if (turn.retryAfterSeconds !== undefined) headers['retry-after'] = String(turn.retryAfterSeconds);
  res.writeHead(turn.status, headers);
  res.end(JSON.stringify({
    type: 'error',
    error: { type: turn.type ?? errorTypeFor(turn.status), message: turn.message ?? `scripted ${turn.status}` },
  }));
}

/** The whole reply as one JSON Message (a request without `stream: true`). */
export function sendMessage(res: http.ServerResponse, turn: ReplyTurn, model: string, messageId: string): void {
  const content = turn.content.map(withIds).map((block) =>
    block.type === 'thinking' ? { type: 'thinking', thinking: block.thinking, signature: block.signature ?? signatureFor(block.thinking) } : block);
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId() });
  res.end(JSON.stringify({
    id: messageId, type: 'message', role: 'assistant', model, content,
    stop_reason: stopReasonOf(turn), stop_sequence: null, usage: usageOf(turn),
  }));
}

/**
 * The reply as SSE events, written with back-pressure (a 50 MB reply must not sit in memory), paced and faulted
 * as the turn says. Resolves when the stream has ended, been cut, or the client went away.
 */
export async function streamMessage(res: http.ServerResponse, turn: ReplyTurn, model: string, messageId: string): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': requestId() });
  res.flushHeaders();
  let sent = 0;
  const usage = usageOf(turn);
  const send = async (type: string, data: Record<string, unknown>): Promise<boolean> => {
    if (res.destroyed) return false;
    if (turn.cutAfterEvents !== undefined && sent >= turn.cutAfterEvents) {
      res.socket?.destroy();
      return false;
    }
    if (turn.stallAfterEvents !== undefined && sent >= turn.stallAfterEvents) {
      if (!res.destroyed) await once(res, 'close');
      return false;
    }
    if (turn.pacing?.eventDelayMs) await sleep(turn.pacing.eventDelayMs);
    sent += 1;
    if (!res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)) await drainedOrClosed(res);
    return !res.destroyed;
  };

  const events = replyEvents(turn, model, messageId, usage);
  for (const [type, data] of events) {
    if (!(await send(type, data))) return;
  }
  res.end();
}

/** Waits for 'drain' or 'close', whichever comes first, and leaves no listener behind. */
async function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  const done = new AbortController();
  await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]).catch(() => {});
  done.abort();
}

/** The SSE event sequence of a reply, produced lazily so a huge text is never held as one list of events. */
function* replyEvents(turn: ReplyTurn, model: string, messageId: string, usage: { input_tokens: number; output_tokens: number }): Generator<[string, Record<string, unknown>]> {
  yield ['message_start', {
    message: {
      id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: usage.input_tokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  }];
  const chunkChars = turn.pacing?.textChunkChars ?? DEFAULT_CHUNK_CHARS;
  for (const [index, block] of turn.content.map(withIds).entries()) {
    if (block.type === 'text') {
      yield ['content_block_start', { index, content_block: { type: 'text', text: '' } }];
      for (const piece of chunks(block.text, chunkChars)) yield ['content_block_delta', { index, delta: { type: 'text_delta', text: piece } }];
    } else if (block.type === 'tool_use') {
      yield ['content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }];
      yield ['content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }];
    } else {
      yield ['content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }];
      yield ['content_block_delta', { index, delta: { type: 'thinking_delta', thinking: block.thinking } }];
      yield ['content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature ?? signatureFor(block.thinking) } }];
    }
    yield ['content_block_stop', { index }];
  }
  yield ['message_delta', { delta: { stop_reason: stopReasonOf(turn), stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }];
  yield ['message_stop', {}];
}

function* chunks(text: string, size: number): Generator<string> {
  if (text.length === 0) {
    yield '';
    return;
  }
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + size, text.length);
    // Never split a surrogate pair across two deltas.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end = end - 1 > at ? end - 1 : end + 1;
    yield text.slice(at, end);
    at = end;
  }
}

function withIds(block: ReplyBlock): ReplyBlock {
  return block.type === 'tool_use' && !block.id ? { ...block, id: nextToolUseId() } : block;
}

function usageOf(turn: ReplyTurn): { input_tokens: number; output_tokens: number } {
  if (turn.usage) return turn.usage;
  const outputChars = turn.content.reduce((sum, block) =>
    sum + (block.type === 'text' ? block.text.length : block.type === 'thinking' ? block.thinking.length : JSON.stringify(block.input).length), 0);
  return { input_tokens: 10, output_tokens: Math.max(1, Math.ceil(outputChars / 4)) };
}

function signatureFor(thinking: string): string {
  return Buffer.from(`scripted:${thinking.length}`).toString('base64');
}

let requestSeq = 0;
function requestId(): string {
  requestSeq += 1;
  return `req_scripted_${requestSeq}`;
}
