import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A unix socket that only its owner can open (0600), for the executor's local channels (the control socket, the
 * permission channel). A file left at the path belongs to a dead executor (only the lock holder listens) and is
 * replaced; closing destroys the open connections and removes the file.
 */
export interface UnixSocketServer {
  close(): Promise<void>;
}

export async function listenUnixSocket(socketPath: string, onConnection: (socket: Socket) => void): Promise<UnixSocketServer> {
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
