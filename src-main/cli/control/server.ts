import { chmodSync, mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { listenUnixSocket, readSocketLines } from '../../core/fs/unix-socket-server.js';
import { dispatchAction } from '../../core/api/dispatch.js';
import { PRIVILEGED_ACTIONS, type BeaconActionName, type BeaconActions, type DashboardClientMessage, type DashboardServerMessage } from '../../core/contract/types.js';
import type { Logger } from '../../core/logger.js';
import { peerProcessId } from '../../core/run/native.js';
import { isAgentProcess } from '../../core/run/process-tree.js';
import { controlKeyMatches } from './control-key.js';

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
  /** The control key of this start (control-key.ts): settings changes and approvals need it. */
  controlKey: string;
  /** Pids of the agents running now: their process trees may not change settings or approve. */
  agentPids: () => number[];
}

const MAX_LINE_BYTES = 1024 * 1024;
/** A client that does not read its replies (or asks too much at once) is dropped (issue 15, point 4). */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const MAX_CALLS_IN_FLIGHT = 32;

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  chmodSync(options.home, 0o700);
  const server = await listenUnixSocket(options.socketPath, (socket) => serveConnection(socket, options));
  return { path: options.socketPath, close: () => server.close() };
}

function serveConnection(socket: Socket, options: ControlServerOptions): void {
  // Who is asking: the process on the other end (SO_PEERCRED / LOCAL_PEERPID through the native helper).
  const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
  const peerPid = typeof handle?.fd === 'number' ? peerProcessId(handle.fd) : null;
  let inFlight = 0;
  const send = (message: DashboardServerMessage): void => {
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_QUEUED_BYTES) return void socket.destroy();
    socket.write(JSON.stringify(message) + '\n');
  };
  readSocketLines(socket, MAX_LINE_BYTES, (line) => {
    if (inFlight >= MAX_CALLS_IN_FLIGHT) return void socket.destroy();
    inFlight++;
    void answer(line, send, options, peerPid).finally(() => inFlight--);
  });
  socket.on('error', () => socket.destroy());
}

async function answer(line: string, send: (message: DashboardServerMessage) => void, options: ControlServerOptions, peerPid: number | null): Promise<void> {
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
  const refusal = PRIVILEGED_ACTIONS.includes(message.action) ? privilegeRefusal(message, options, peerPid) : null;
  if (refusal) {
    options.logger.warn(`control socket: refused ${String(message.action)} (${refusal})`, { pid: peerPid });
    send({ kind: 'result', id, ok: false, error: `Refused: ${refusal}` });
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

/** Why a settings change or an approval is refused on this connection (null: it may go ahead). */
function privilegeRefusal(message: DashboardClientMessage, options: ControlServerOptions, peerPid: number | null): string | null {
  const action: BeaconActionName = message.action;
  if (!controlKeyMatches(options.controlKey, message.credential)) {
    return `${action} needs the running executor's control key (beacon reads it from the control.key file beside this socket)`;
  }
  if (peerPid === null) return `${action} needs to know which process asks, and this system could not say (Beacon's native helper is missing; npm install builds it)`;
  if (isAgentProcess(peerPid, options.agentPids())) return `${action} was asked from an agent's process tree (pid ${peerPid}); agents cannot change settings or approve`;
  return null;
}
