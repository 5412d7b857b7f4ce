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
