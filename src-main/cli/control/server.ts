import { chmodSync, mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { listenUnixSocket } from '../../core/fs/unix-socket-server.js';
import { dispatchAction } from '../../core/api/dispatch.js';
import type { BeaconActions, DashboardClientMessage, DashboardServerMessage } from '../../core/contract/types.js';
import type { Logger } from '../../core/logger.js';

/**
 * The control channel of a running executor: a unix socket under MENTU_HOME (owner-only) carrying one
 * JSON frame per line, the same frames as the dashboard WebSocket, dispatched through dispatchAction().
 */
export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

export interface ControlServerOptions {
  socketPath: string;
  /** MENTU_HOME: made owner-only (0700) so nobody else can even reach the socket. */
  home: string;
  actions: BeaconActions;
  logger: Logger;
}

const MAX_LINE_BYTES = 1024 * 1024;

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  chmodSync(options.home, 0o700);
  const server = await listenUnixSocket(options.socketPath, (socket) => serveConnection(socket, options));
  return { path: options.socketPath, close: () => server.close() };
}

function serveConnection(socket: Socket, options: ControlServerOptions): void {
  let buffer = '';
  socket.setEncoding('utf8');
  const send = (message: DashboardServerMessage): void => {
    if (!socket.destroyed) socket.write(JSON.stringify(message) + '\n');
  };
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE_BYTES) {
      socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) void answer(line, send, options);
    }
  });
  socket.on('error', () => socket.destroy());
}

async function answer(line: string, send: (message: DashboardServerMessage) => void, options: ControlServerOptions): Promise<void> {
  let message: DashboardClientMessage;
  try {
    message = JSON.parse(line) as DashboardClientMessage;
  } catch {
    send({ kind: 'result', id: -1, ok: false, error: 'The control channel expects one JSON object per line' });
    return;
  }
  const id = typeof message?.id === 'number' ? message.id : -1;
  if (message?.kind !== 'call') {
    send({ kind: 'result', id, ok: false, error: 'Expected {"kind":"call","id":N,"action":...,"args":[...]}' });
    return;
  }
  try {
    const value = await dispatchAction(options.actions, message.action, message.args, { surface: 'cli' });
    send({ kind: 'result', id, ok: true, value: value ?? null });
  } catch (error) {
    options.logger.debug(`control call ${String(message.action)} failed`, { error });
    send({ kind: 'result', id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}
