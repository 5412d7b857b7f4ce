import { createInterface } from 'node:readline';
import { PERMISSION_TOOL_NAME } from '../run/permission-args.js';
import { connectAskClient } from './ask-channel.js';
import type { AskInput, PermissionVerdict } from './permission-requests.js';

/**
 * Beacon's permission server, as the claude CLI sees it: an MCP server over stdio (one JSON-RPC object per line)
 * offering one tool, which the CLI calls (--permission-prompt-tool) with {tool_name, input, tool_use_id} for every
 * tool use its rules do not settle. Each call is handed to the executor over the ask channel and answered with the
 * verdict as the CLI expects it: one text block holding {"behavior":"allow","updatedInput":…} or
 * {"behavior":"deny","message":…}. Written here rather than with an MCP SDK: three methods are all it needs.
 */

/** Variables the executor gives the server (through --mcp-config): where to ask, and the run's ticket. */
export const PERMISSION_SOCKET_VARIABLE = 'BEACON_PERMISSION_SOCKET';
export const PERMISSION_TICKET_VARIABLE = 'BEACON_PERMISSION_TICKET';

type JsonRpcId = string | number;
interface JsonRpcMessage {
  jsonrpc?: string;
  id?: JsonRpcId;
  method?: string;
  params?: Record<string, unknown>;
}

const INPUT_SCHEMA = {
  type: 'object',
  properties: {
    tool_name: { type: 'string', description: 'The tool the agent wants to use' },
    input: { type: 'object', description: 'Its input' },
    tool_use_id: { type: 'string', description: 'The tool use id' },
  },
  required: ['tool_name', 'input'],
};

export interface RelayOptions {
  ask(input: AskInput): Promise<PermissionVerdict>;
  send(message: Record<string, unknown>): void;
  version: string;
}

export function createPermissionRelay(options: RelayOptions): { handle(line: string): void } {
  const reply = (id: JsonRpcId, result: unknown): void => options.send({ jsonrpc: '2.0', id, result });
  const fail = (id: JsonRpcId | null, code: number, message: string): void => options.send({ jsonrpc: '2.0', id, error: { code, message } });

  const call = (id: JsonRpcId, params: Record<string, unknown>): void => {
    if (params.name !== PERMISSION_TOOL_NAME) {
      reply(id, { isError: true, content: [{ type: 'text', text: `Unknown tool ${String(params.name)}` }] });
      return;
    }
    const args = (params.arguments ?? {}) as Record<string, unknown>;
    const input = args.input && typeof args.input === 'object' && !Array.isArray(args.input) ? (args.input as Record<string, unknown>) : {};
    void options
      .ask({ toolName: String(args.tool_name ?? ''), input, toolUseId: typeof args.tool_use_id === 'string' ? args.tool_use_id : null })
      .then((verdict) => reply(id, { content: [{ type: 'text', text: JSON.stringify(verdict) }] }));
  };

  return {
    handle(line) {
      let message: JsonRpcMessage;
      try {
        message = JSON.parse(line) as JsonRpcMessage;
      } catch {
        fail(null, -32700, 'Parse error');
        return;
      }
      if (message.id === undefined || message.id === null) return; // a notification
      switch (message.method) {
        case 'initialize':
          reply(message.id, {
            protocolVersion: typeof message.params?.protocolVersion === 'string' ? message.params.protocolVersion : '2025-06-18',
            capabilities: { tools: {} },
            serverInfo: { name: 'beacon', version: options.version },
          });
          return;
        case 'ping':
          reply(message.id, {});
          return;
        case 'tools/list':
          reply(message.id, {
            tools: [{ name: PERMISSION_TOOL_NAME, description: "Asks Beacon's owner whether a tool use may go ahead", inputSchema: INPUT_SCHEMA }],
          });
          return;
        case 'tools/call':
          call(message.id, message.params ?? {});
          return;
        default:
          fail(message.id, -32601, `Method not found: ${String(message.method)}`);
      }
    },
  };
}

/** `beacon permission-server`: the relay on this process's stdin/stdout until the CLI closes it. */
export function servePermissionRelay(env: NodeJS.ProcessEnv, version: string): Promise<void> {
  const socketPath = env[PERMISSION_SOCKET_VARIABLE];
  const ticket = env[PERMISSION_TICKET_VARIABLE];
  const client = socketPath && ticket ? connectAskClient(socketPath, ticket) : null;
  const relay = createPermissionRelay({
    version,
    send: (message) => process.stdout.write(`${JSON.stringify(message)}\n`),
    ask: (input) =>
      client
        ? client.ask(input)
        : Promise.resolve({ behavior: 'deny', message: `Beacon's permission server was started without ${PERMISSION_SOCKET_VARIABLE} and ${PERMISSION_TICKET_VARIABLE}; nothing can be allowed.` }),
  });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim()) relay.handle(line);
  });
  return new Promise((resolve) =>
    lines.on('close', () => {
      client?.close();
      resolve();
    }),
  );
}
