import { connect, type Socket } from 'node:net';
import { listenUnixSocket, readSocketLines, type UnixSocketServer } from '../fs/unix-socket-server.js';
import type { Logger } from '../logger.js';
import type { AskInput, PermissionVerdict } from './permission-requests.js';

/**
 * The channel between a run's permission server (started by the agent's CLI, so inside the agent's process tree)
 * and the executor: a unix socket under MENTU_HOME that can only ASK. A connection presents its run's ticket, then
 * sends tool uses and waits for verdicts. There is no message that answers, allows a tool or changes a policy, so
 * whatever reaches this socket (the agent itself included) can at most ask again. One JSON object per line.
 */
export type AskClientMessage =
  | { kind: 'hello'; ticket: string }
  | { kind: 'ask'; seq: number; toolName: string; input: Record<string, unknown>; toolUseId: string | null };
export type AskServerMessage = { kind: 'verdict'; seq: number; verdict: PermissionVerdict } | { kind: 'error'; message: string };

export interface AskServerOptions {
  socketPath: string;
  ask(ticket: string, input: AskInput): Promise<PermissionVerdict>;
  logger: Logger;
}

const MAX_LINE = 4 * 1024 * 1024;

export function startAskServer(options: AskServerOptions): Promise<UnixSocketServer> {
  return listenUnixSocket(options.socketPath, (socket) => serve(socket, options));
}

function serve(socket: Socket, options: AskServerOptions): void {
  let ticket: string | null = null;
  const send = (message: AskServerMessage): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  socket.on('error', () => socket.destroy());
  const onLine = (line: string): void => {
    let message: Partial<AskClientMessage> & { kind?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      send({ kind: 'error', message: 'expected one JSON object per line' });
      return;
    }
    if (message.kind === 'hello' && typeof message.ticket === 'string' && ticket === null) {
      ticket = message.ticket;
      return;
    }
    const ask = message as Partial<Extract<AskClientMessage, { kind: 'ask' }>>;
    if (message.kind !== 'ask' || ticket === null || typeof ask.seq !== 'number' || typeof ask.toolName !== 'string') {
      options.logger.warn(`permission channel: refused a ${JSON.stringify(String(message.kind)).slice(0, 40)} message (this channel only asks, after a hello)`);
      send({ kind: 'error', message: 'this channel only asks: {"kind":"hello","ticket":…} then {"kind":"ask",…}; nothing here answers or allows' });
      return;
    }
    const input = ask.input && typeof ask.input === 'object' && !Array.isArray(ask.input) ? ask.input : {};
    const seq = ask.seq;
    options
      .ask(ticket, { toolName: ask.toolName, input, toolUseId: typeof ask.toolUseId === 'string' ? ask.toolUseId : null })
      .then((verdict) => send({ kind: 'verdict', seq, verdict }))
      .catch((error: unknown) => send({ kind: 'verdict', seq, verdict: { behavior: 'deny', message: `Beacon could not ask: ${String(error)}` } }));
  };
  readSocketLines(socket, MAX_LINE, onLine, () => send({ kind: 'error', message: 'line too long' }));
}

/** The permission server's side: one connection per run, asks in flight matched by seq. */
export interface AskClient {
  ask(input: AskInput): Promise<PermissionVerdict>;
  close(): void;
}

export function connectAskClient(socketPath: string, ticket: string): AskClient {
  const socket = connect(socketPath);
  const waiting = new Map<number, (verdict: PermissionVerdict) => void>();
  let seq = 0;
  let buffer = '';
  let broken: string | null = null;
  const failAll = (why: string): void => {
    broken ??= why;
    for (const resolve of waiting.values()) resolve({ behavior: 'deny', message: `Beacon is not reachable (${why}); nobody can answer, so this is denied.` });
    waiting.clear();
  };
  socket.setEncoding('utf8');
  socket.write(`${JSON.stringify({ kind: 'hello', ticket } satisfies AskClientMessage)}\n`);
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        const message = JSON.parse(line) as AskServerMessage;
        if (message.kind === 'verdict') {
          waiting.get(message.seq)?.(message.verdict);
          waiting.delete(message.seq);
        }
      } catch {
        // not ours to judge: the executor speaks one JSON object per line
      }
    }
  });
  socket.on('error', (error) => failAll(error.message));
  socket.on('close', () => failAll('the executor closed the permission channel'));
  return {
    ask(input) {
      if (broken) return Promise.resolve({ behavior: 'deny', message: `Beacon is not reachable (${broken}); nobody can answer, so this is denied.` });
      const id = ++seq;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        socket.write(`${JSON.stringify({ kind: 'ask', seq: id, ...input } satisfies AskClientMessage)}\n`);
      });
    },
    close: () => socket.destroy(),
  };
}
