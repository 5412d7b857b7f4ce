/** What the model server recorded, and readers for the parts tests ask about (the prompt, the tools, tool results). */

export interface RecordedRequest {
  /** 1-based, in arrival order. */
  seq: number;
  method: string;
  /** The path without the query string, e.g. /v1/messages. */
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received (UTF-8). */
  rawBody: string;
  /** The parsed JSON body, or null when there was none or it was not JSON. */
  body: MessagesBody | null;
  /** performance.timeOrigin + performance.now() when the request's headers arrived (ms since the epoch, sub-ms). */
  receivedAt: number;
  /** What the server answered: 'reply', 'error <status>', 'count_tokens', 'probe', 'not found', 'default reply'. */
  answer: string;
}

export interface MessagesBody {
  model?: string;
  stream?: boolean;
  system?: unknown;
  tools?: { name: string; [key: string]: unknown }[];
  messages?: Message[];
  thinking?: unknown;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface Message {
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlock[];
}

export type ContentBlock =
  | { type: 'text'; text: string; [key: string]: unknown }
  | { type: 'tool_use'; id: string; name: string; input: unknown; [key: string]: unknown }
  | { type: 'tool_result'; tool_use_id: string; content?: string | ContentBlock[]; is_error?: boolean; [key: string]: unknown }
  | { type: string; [key: string]: unknown };

export interface ToolResult {
  toolUseId: string;
  /** As sent: a string, or the list of content blocks. */
  content: string | ContentBlock[] | undefined;
  /** The content as one string (text blocks joined), for simple comparisons. */
  text: string;
  isError: boolean;
}

export function isMessagesRequest(request: RecordedRequest): boolean {
  return request.method === 'POST' && request.path === '/v1/messages';
}

function blocksOf(message: Message): ContentBlock[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

/**
 * The prompt as the model received it: the last text block of the conversation's first user message (the CLI puts
 * its own <system-reminder> context blocks before the prompt).
 */
export function userPrompt(request: RecordedRequest): string | null {
  const first = request.body?.messages?.find((message) => message.role === 'user');
  if (!first) return null;
  const texts = blocksOf(first).filter((block): block is { type: 'text'; text: string } => block.type === 'text');
  return texts.length ? texts[texts.length - 1]!.text : null;
}

/** Every user text in the conversation that is not the CLI's own context (for a resumed session: each prompt, in order). */
export function userTexts(request: RecordedRequest): string[] {
  const texts: string[] = [];
  for (const message of request.body?.messages ?? []) {
    if (message.role !== 'user') continue;
    for (const block of blocksOf(message)) {
      if (block.type === 'text' && !(block.text as string).startsWith('<system-reminder>')) texts.push(block.text as string);
    }
  }
  return texts;
}

/** The names of the tools the CLI offered the model. */
export function toolsOffered(request: RecordedRequest): string[] {
  return (request.body?.tools ?? []).map((tool) => tool.name);
}

/** The tool_result blocks of the request's last user message: what the CLI reports back for the model's tool uses. */
export function toolResults(request: RecordedRequest): ToolResult[] {
  const messages = request.body?.messages ?? [];
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  if (!lastUser) return [];
  return blocksOf(lastUser)
    .filter((block) => block.type === 'tool_result')
    .map((block) => {
      const result = block as Extract<ContentBlock, { type: 'tool_result' }>;
      const content = result.content as string | ContentBlock[] | undefined;
      const text = typeof content === 'string' ? content
        : (content ?? []).map((part) => (part.type === 'text' ? String(part.text) : '')).join('');
      return { toolUseId: result.tool_use_id as string, content, text, isError: result.is_error === true };
    });
}

/** The assistant turns the request carries (a resumed session sends the earlier ones back). */
export function assistantTurns(request: RecordedRequest): ContentBlock[][] {
  return (request.body?.messages ?? []).filter((message) => message.role === 'assistant').map(blocksOf);
}
