import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendError, sendMessage, streamMessage } from './replies.js';
import { isMessagesRequest, type MessagesBody, type RecordedRequest } from './requests.js';
import { turn as turns, type Turn } from './turns.js';

export { turn, type ErrorTurn, type ReplyBlock, type ReplyTurn, type StreamPacing, type Turn } from './turns.js';
export {
  assistantTurns, isMessagesRequest, toolResults, toolsOffered, userPrompt, userTexts,
  type RecordedRequest, type ToolResult,
} from './requests.js';

/**
 * A scripted Anthropic Messages API on 127.0.0.1, for driving the real `claude` CLI in tests (never shipped).
 * Each POST /v1/messages takes the next scripted turn, streamed as SSE when the request asks for `stream: true`
 * and as one JSON Message otherwise; count_tokens and the CLI's reachability probe are answered; every request
 * is recorded as received.
 */
export interface ModelServer {
  /** http://127.0.0.1:<port>: the CLI's ANTHROPIC_BASE_URL. */
  url: string;
  /** Appends turns to the script; each /v1/messages request takes the next one. */
  script(...turns: Turn[]): void;
  /** How many scripted turns are still unused. */
  pendingTurns(): number;
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[];
  /** The /v1/messages requests (the model calls) so far. */
  messageRequests(): RecordedRequest[];
  /** Resolves with the first request (already received or still to come) that matches; rejects after timeoutMs. */
  waitForRequest(match?: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets the recorded requests and the unused turns. */
  reset(): void;
  stop(): Promise<void>;
}

export interface ModelServerOptions {
  /** The first turns of the script (more can be added with script()). */
  turns?: Turn[];
  /** The answer once the script is used up (default: a short end_turn text, recorded as 'default reply'). */
  whenScriptEnds?: Turn;
  /** The model name put in replies when the request names none. */
  model?: string;
}

interface Waiter {
  match: (request: RecordedRequest) => boolean;
  resolve: (request: RecordedRequest) => void;
}

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const queue: Turn[] = [...(options.turns ?? [])];
  const whenScriptEnds = options.whenScriptEnds ?? turns.text('(the scripted model has nothing more to say)');
  const requests: RecordedRequest[] = [];
  let waiters: Waiter[] = [];
  let messageSeq = 0;

  const record = (request: RecordedRequest): void => {
    requests.push(request);
    const ready = waiters.filter((waiter) => waiter.match(request));
    waiters = waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve(request);
  };

  const server = http.createServer((req, res) => {
    const receivedAt = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
      const request: RecordedRequest = {
        seq: requests.length + 1, method: req.method ?? 'GET', path, query, headers: req.headers, rawBody,
        body: parseBody(rawBody), receivedAt, answer: '',
      };
      answer(request, res).catch((error: unknown) => {
        request.answer += ` (failed: ${String(error)})`;
        res.destroy();
      });
      record(request);
    });
  });

  async function answer(request: RecordedRequest, res: http.ServerResponse): Promise<void> {
    if (request.method === 'HEAD' || (request.method === 'GET' && request.path === '/')) {
      request.answer = 'probe';
      res.writeHead(200).end();
      return;
    }
    if (request.method === 'POST' && request.path === '/v1/messages/count_tokens') {
      request.answer = 'count_tokens';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: Math.max(1, Math.ceil(request.rawBody.length / 4)) }));
      return;
    }
    if (!isMessagesRequest(request)) {
      request.answer = 'not found';
      sendError(res, turns.error(404, { message: `the scripted model server has no ${request.method} ${request.path}` }));
      return;
    }
    const next = queue.shift();
    const current = next ?? whenScriptEnds;
    if (current.kind === 'error') {
      request.answer = `error ${current.status}`;
      sendError(res, current);
      return;
    }
    request.answer = next ? 'reply' : 'default reply';
    messageSeq += 1;
    const model = request.body?.model ?? options.model ?? 'claude-scripted';
    const messageId = `msg_scripted_${String(messageSeq).padStart(6, '0')}`;
    if (request.body?.stream) await streamMessage(res, current, model, messageId);
    else sendMessage(res, current, model, messageId);
  }

  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    script: (...more) => void queue.push(...more),
    pendingTurns: () => queue.length,
    requests,
    messageRequests: () => requests.filter(isMessagesRequest),
    waitForRequest(match = isMessagesRequest, timeoutMs = 30_000) {
      const already = requests.find(match);
      if (already) return Promise.resolve(already);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== entry);
          reject(new Error(`the model server saw no matching request within ${timeoutMs} ms (${requests.length} requests so far)`));
        }, timeoutMs);
        const entry: Waiter = { match, resolve: (request) => { clearTimeout(timer); resolve(request); } };
        waiters.push(entry);
      });
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseBody(raw: string): MessagesBody | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as MessagesBody;
  } catch {
    return null;
  }
}
