import { connect } from 'node:net';
import type { BeaconActionName, DashboardServerMessage } from '../../core/contract/types.js';

/** No executor answers on the control socket (none runs, or it died and left the file). */
export class ExecutorNotRunningError extends Error {
  constructor(socketPath: string) {
    super(`No executor is listening on ${socketPath}`);
    this.name = 'ExecutorNotRunningError';
  }
}

/**
 * One call to the running executor over its control socket. `credential`: the control key, which settings
 * changes and approvals need (control-key.ts).
 */
export function callExecutor(socketPath: string, action: BeaconActionName, args: unknown[], timeoutMs = 10_000, credential: string | null = null): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`The executor did not answer ${action} within ${timeoutMs} ms`))), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify({ kind: 'call', id: 1, action, args, ...(credential ? { credential } : {}) }) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const message = JSON.parse(buffer.slice(0, newline)) as DashboardServerMessage;
      if (message.kind !== 'result') return;
      finish(() => (message.ok ? resolve(message.value) : reject(new Error(message.error))));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ENOTSOCK';
      finish(() => reject(gone ? new ExecutorNotRunningError(socketPath) : error));
    });
    socket.on('close', () => finish(() => reject(new Error(`The executor closed the control socket before answering ${action}`))));
  });
}
