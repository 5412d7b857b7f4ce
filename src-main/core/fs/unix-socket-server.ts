import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A unix socket that only its owner can open (0600), for the executor's local channels (the control socket, the
 * permission channel). A file left at the path belongs to a dead executor (only the lock holder listens) and is
 * replaced; closing destroys the open connections and removes the file.
 */
export interface UnixSocketServer {
  close(): Promise<void>;
}

/** Why a socket cannot be made at this path (something else is there), in words; null when it can. */
export function socketPathProblem(socketPath: string): string | null {
  let kind: string;
  try {
    const stat = lstatSync(socketPath);
    if (stat.isSocket() || stat.isFile() || stat.isSymbolicLink()) return null;
    kind = stat.isDirectory() ? 'a directory' : 'not a socket';
  } catch {
    return null; // nothing there: the server makes it
  }
  return `${socketPath} is ${kind}, not one of Beacon's sockets; remove it (e.g. rmdir '${socketPath}') and start again`;
}

export async function listenUnixSocket(socketPath: string, onConnection: (socket: Socket) => void): Promise<UnixSocketServer> {
  const problem = socketPathProblem(socketPath);
  if (problem) throw new Error(problem);
  rmSync(socketPath, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}

/**
 * The channels speak one JSON object per line: `onLine` gets each non-blank line, trimmed. A client that sends
 * more than `maxLineBytes` without a newline gets `onTooLong` and the connection is closed (nothing waits
 * unbounded in memory); once the socket is destroyed (by a handler too) the rest of the chunk is dropped.
 */
export function readSocketLines(socket: Socket, maxLineBytes: number, onLine: (line: string) => void, onTooLong: () => void = () => {}): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > maxLineBytes) {
      onTooLong();
      socket.destroy();
      return;
    }
    let newline: number;
    while (!socket.destroyed && (newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onLine(line);
    }
  });
}
