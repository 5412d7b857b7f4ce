import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { BeaconClient } from '../../core/contract/types.js';
import { checkRequest, checkUpgrade, newDashboardToken, sessionCookie, type AccessRules } from './auth.js';
import { SocketSession } from './socket-session.js';
import { dashboardUrl } from './state-file.js';
import { securityHeaders, sendText, serveStatic } from './static-files.js';

/**
 * The headless dashboard: serves the built React UI and the Beacon API over a token-protected local
 * WebSocket on 127.0.0.1 only (see auth.ts for how the token travels).
 */
export interface DashboardOptions {
  client: BeaconClient;
  /** 0 picks a free port. */
  port?: number;
  /** Folder with the built renderer (index.html and assets); default out/renderer under the current directory. */
  staticDir?: string;
  /** The token to require (kept across restarts by the caller); default: a new random one. */
  token?: string;
}

export interface DashboardServer {
  /** Full URL including the token, e.g. http://127.0.0.1:4123/?token=... */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Require a new token from now on: every open page (its cookie carries the old one) is disconnected. */
  setToken(token: string): void;
  /** Closes every open WebSocket (pages reconnect and replay what they missed); returns how many. */
  dropConnections(): number;
  close(): Promise<void>;
}

const API_PATH = '/api';
const MAX_MESSAGE_BYTES = 1024 * 1024;

export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const staticDir = resolve(options.staticDir ?? 'out/renderer');
  const rules: AccessRules = { port: 0, token: options.token ?? newDashboardToken() };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const server = createServer((req, res) => {
    handleHttp(req, res, rules, staticDir).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'The dashboard could not answer this request.');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== API_PATH) return refuseUpgrade(socket, 404, 'Not found');
    const verdict = checkUpgrade(req, url, rules);
    if (!verdict.allowed) return refuseUpgrade(socket, verdict.status, verdict.reason);
    wss.handleUpgrade(req, socket, head, (ws) => new SocketSession(ws, options.client));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The dashboard server did not get a TCP port');
  rules.port = address.port;

  const dropConnections = (): number => {
    let dropped = 0;
    for (const ws of wss.clients) {
      ws.terminate();
      dropped++;
    }
    return dropped;
  };
  return {
    get url() {
      return dashboardUrl(rules.port, rules.token);
    },
    port: address.port,
    get token() {
      return rules.token;
    },
    setToken: (token) => {
      rules.token = token;
      dropConnections();
    },
    dropConnections,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, rules: AccessRules, staticDir: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Only GET and HEAD.', { Allow: 'GET, HEAD' });
  const verdict = checkRequest(req, url, rules);
  if (!verdict.allowed) return sendText(res, verdict.status, verdict.reason);
  if (verdict.via === 'query' && (url.pathname === '/' || url.pathname === '/index.html')) {
    // Trade the token for a cookie and drop it from the address bar.
    res.writeHead(303, { ...securityHeaders(), Location: '/', 'Set-Cookie': sessionCookie(rules.port, rules.token), 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  if (url.pathname === '/api/health') {
    res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end('{"ok":true}\n');
    return;
  }
  if (url.pathname === API_PATH) return sendText(res, 426, 'Connect to /api with a WebSocket.');
  await serveStatic(res, staticDir, url.pathname, req.method === 'HEAD');
}

function refuseUpgrade(socket: Socket, status: 401 | 403 | 404, reason: string): void {
  const title = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
