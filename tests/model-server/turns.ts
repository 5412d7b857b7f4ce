/**
 * What the scripted model answers, one entry per /v1/messages request, in order. A turn is either a reply
 * (content blocks the CLI will act on) or a fault (an HTTP error, a stream cut off, a stream that stalls).
 */

export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: unknown; id?: string }
  | { type: 'thinking'; thinking: string; signature?: string };

export interface StreamPacing {
  /** Delay before each SSE event (a slow stream). */
  eventDelayMs?: number;
  /** Text longer than this is streamed as several text_delta events of at most this many characters. */
  textChunkChars?: number;
}

export interface ReplyTurn {
  kind: 'reply';
  content: ReplyBlock[];
  /** Default: 'tool_use' when a tool_use block is present, else 'end_turn'. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
  usage?: { input_tokens: number; output_tokens: number };
  pacing?: StreamPacing;
  /** Close the connection after this many SSE events (a cut-off stream; streaming requests only). */
  cutAfterEvents?: number;
  /** Stop sending after this many SSE events and hold the connection open until the client goes away. */
  stallAfterEvents?: number;
}

export interface ErrorTurn {
  kind: 'error';
  status: number;
  /** Anthropic error type; default from the status (401 authentication_error, 429 rate_limit_error, 529 overloaded_error, ...). */
  type?: string;
  message?: string;
  /** Sent as `x-should-retry` when set: false makes the CLI give up at once instead of retrying. */
  retry?: boolean;
  retryAfterSeconds?: number;
}

export type Turn = ReplyTurn | ErrorTurn;

type ReplyOptions = Omit<ReplyTurn, 'kind' | 'content'>;

let toolUseSeq = 0;

/** Builders, so a script reads as what the model does: `[turn.tool('Write', {...}), turn.text('done')]`. */
export const turn = {
  text(text: string, options: ReplyOptions = {}): ReplyTurn {
    return { kind: 'reply', content: [{ type: 'text', text }], ...options };
  },
  /** One tool_use block (optionally after a line of text); its id is generated unless given. */
  tool(name: string, input: unknown, options: ReplyOptions & { id?: string; say?: string } = {}): ReplyTurn {
    const { id, say, ...rest } = options;
    const content: ReplyBlock[] = say === undefined ? [] : [{ type: 'text', text: say }];
    content.push({ type: 'tool_use', name, input, id: id ?? nextToolUseId() });
    return { kind: 'reply', content, ...rest };
  },
  blocks(content: ReplyBlock[], options: ReplyOptions = {}): ReplyTurn {
    return { kind: 'reply', content, ...options };
  },
  error(status: number, options: Omit<ErrorTurn, 'kind' | 'status'> = {}): ErrorTurn {
    return { kind: 'error', status, ...options };
  },
};

export function nextToolUseId(): string {
  toolUseSeq += 1;
  return `toolu_scripted_${String(toolUseSeq).padStart(6, '0')}`;
}

export function stopReasonOf(reply: ReplyTurn): NonNullable<ReplyTurn['stopReason']> {
  if (reply.stopReason) return reply.stopReason;
  return reply.content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
}

export function errorTypeFor(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 529: return 'overloaded_error';
    default: return 'api_error';
  }
}
