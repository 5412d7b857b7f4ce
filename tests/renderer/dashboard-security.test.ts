import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startDashboard, type DashboardServer } from '../../src-main/cli/dashboard/server.js';
import { FakeBeaconClient } from './fake-client.js';
import { ensureRendererBuilt, RENDERER_DIR } from '../support/browser.js';

/** Raw HTTP and WebSocket clients against the dashboard: who gets in and who is refused. */

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
function upgrade(url: string, headers: Record<string, string>): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ status: 101, socket: ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.once('error', (error) => reject(error));
  });
}

function call(ws: WebSocket, id: number, action: string, args: unknown[]): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.kind === 'result' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'call', id, action, args }));
  });
}

describe('dashboard access rules', () => {
  const client = new FakeBeaconClient();
  let server: DashboardServer;
  let origin: string;
  let cookie: string;

  beforeAll(async () => {
    ensureRendererBuilt();
    server = await startDashboard({ client, port: 0, staticDir: RENDERER_DIR });
    origin = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('prints a URL on 127.0.0.1 that carries a 32-byte token', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBe(server.port);
    expect(url.searchParams.get('token')).toBe(server.token);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
  });

  it('refuses pages and assets without the token, or with a wrong one (401)', async () => {
    for (const path of ['/', '/index.html', '/api/health', '/assets/anything.js']) {
      const response = await get(server.port, path);
      expect(response.status, path).toBe(401);
      expect(response.body).toMatch(/token/i);
    }
    const wrong = await get(server.port, `/?token=${'A'.repeat(server.token.length)}`);
    expect(wrong.status).toBe(401);
    const wrongCookie = await get(server.port, '/', { Cookie: `beacon_dashboard_${server.port}=nope` });
    expect(wrongCookie.status).toBe(401);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and strips it from the URL', async () => {
    const response = await get(server.port, `/?token=${server.token}`);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toContain(`beacon_dashboard_${server.port}=${server.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    const page = await get(server.port, '/', { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.body).toContain('Content-Security-Policy');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeTruthy();
    const asset = await get(server.port, `/${script}`, { Cookie: cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    const response = await get(server.port, `/?token=${server.token}`, { Host: `evil.example:${server.port}` });
    expect(response.status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json', '/%00index.html']) {
      const response = await get(server.port, path, { Cookie: cookie });
      expect([400, 404], path).toContain(response.status);
      expect(response.body).not.toContain('"name": "beacon"');
    }
  });

  it('refuses the WebSocket upgrade without the token (401) or from another origin (403)', async () => {
    const api = `ws://127.0.0.1:${server.port}/api`;
    expect((await upgrade(api, { Origin: origin })).status).toBe(401);
    expect((await upgrade(`${api}?token=wrong`, { Origin: origin })).status).toBe(401);
    expect((await upgrade(api, { Origin: 'http://evil.example', Cookie: cookie })).status).toBe(403);
    expect((await upgrade(api, { Origin: 'http://localhost:' + server.port, Cookie: cookie })).status).toBe(403);
    expect((await upgrade(api, { Cookie: cookie })).status).toBe(403);
    expect((await upgrade(`ws://127.0.0.1:${server.port}/elsewhere`, { Origin: origin, Cookie: cookie })).status).toBe(404);
  });

  it('accepts its own origin with the token, validates arguments, and forwards events', async () => {
    const { status, socket } = await upgrade(`ws://127.0.0.1:${server.port}/api`, { Origin: origin, Cookie: cookie });
    expect(status).toBe(101);
    const ws = socket!;
    const snapshot = await call(ws, 1, 'getSnapshot', []);
    expect(snapshot).toMatchObject({ ok: true, value: { machineId: 'beacon-fake-host' } });
    const bad = await call(ws, 2, 'cancel', ['../../etc/passwd']);
    expect(bad).toMatchObject({ ok: false });
    expect(String(bad.error)).toMatch(/Invalid arguments for cancel/);
    const unknown = await call(ws, 3, 'rm -rf', []);
    expect(String(unknown.error)).toMatch(/Unknown action/);
    const event = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
    await call(ws, 4, 'pause', []);
    expect(await event).toMatchObject({ kind: 'event', event: { type: 'snapshot', snapshot: { paused: true } } });
    expect(client.calls.map((c) => c.action)).toEqual(expect.arrayContaining(['getSnapshot', 'pause']));
    expect(client.calls.some((c) => c.action === 'cancel')).toBe(false);
    ws.close();
  });

  it('accepts ?token= on the upgrade for raw clients, still only from its own origin', async () => {
    const { status, socket } = await upgrade(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { Origin: origin });
    expect(status).toBe(101);
    socket!.close();
  });

  it('listens on 127.0.0.1 only', async () => {
    const os = await import('node:os');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return; // No other interface on this machine: nothing to try.
    const refused = await new Promise<boolean>((resolve) => {
      const req = request({ host: external.address, port: server.port, path: '/', timeout: 2000 }, () => resolve(false));
      req.on('error', () => resolve(true));
      req.on('timeout', () => {
        req.destroy();
        resolve(true);
      });
      req.end();
    });
    expect(refused).toBe(true);
  });
});
