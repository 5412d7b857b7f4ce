import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from '../../../../src-main/core/commands/supabase/keep-alive-fetch.js';

/** The fetch supabase-js gets, against a real HTTP server on loopback: fetch's contract where Beacon relies on it. */
describe('keep-alive fetch', () => {
  let server: http.Server;
  let base: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        if (path === '/echo') {
          res.writeHead(201, { 'content-type': 'application/json', 'x-seen-method': req.method ?? '' });
          res.end(JSON.stringify({ body, headers: req.headers }));
        } else if (path === '/gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
        } else if (path === '/empty') {
          res.writeHead(204);
          res.end();
        } else if (path === '/missing') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'PGRST202', message: 'no such function' }));
        } else if (path === '/stall') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('['); // never finished
        } else if (path === '/cut') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('[{"partial":');
          setTimeout(() => req.socket.destroy(), 20);
        } else if (path === '/socket') {
          res.end(String(req.socket.remotePort));
        }
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and a JSON body, and resolves with status, headers and body', async () => {
    const doFetch = createKeepAliveFetch({ timeoutMs: 5000 });
    const headers = new Headers({ apikey: 'k', 'Content-Type': 'application/json', Prefer: 'return=representation' });
    const response = await doFetch(`${base}/echo`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'héllo ✔' }) });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-seen-method')).toBe('POST');
    const seen = (await response.json()) as { body: string; headers: Record<string, string> };
    expect(JSON.parse(seen.body)).toEqual({ prompt: 'héllo ✔' });
    expect(seen.headers.apikey).toBe('k');
    expect(seen.headers.prefer).toBe('return=representation');
    expect(Number(seen.headers['content-length'])).toBe(Buffer.byteLength(seen.body));
  });

  it('reuses one connection for requests in sequence', async () => {
    const doFetch = createKeepAliveFetch({ timeoutMs: 5000 });
    const ports = new Set<string>();
    for (let i = 0; i < 5; i++) ports.add(await (await doFetch(`${base}/socket`)).text());
    expect(ports.size).toBe(1);
  });

  it('decodes a gzip body, gives a 204 no body, and resolves an HTTP error with its status and body', async () => {
    const doFetch = createKeepAliveFetch({ timeoutMs: 5000 });
    expect(await (await doFetch(`${base}/gzip`)).json()).toEqual({ zipped: true });
    const empty = await doFetch(`${base}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    const missing = await doFetch(`${base}/missing`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('PGRST202');
  });

  it('rejects like fetch when the server never answers in time, cuts the body off, or is not there', async () => {
    const doFetch = createKeepAliveFetch({ timeoutMs: 300 });
    const started = Date.now();
    const stalled = await doFetch(`${base}/stall`).catch((error: unknown) => error);
    expect(stalled).toBeInstanceOf(TypeError);
    expect(String((stalled as TypeError).cause)).toMatch(/longer than 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);

    expect(await doFetch(`${base}/cut`).catch((error: unknown) => error)).toBeInstanceOf(TypeError);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await doFetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toMatch(/^fetch failed: Error: connect ECONNREFUSED 127.0.0.1:\d+$/); // the cause is kept in the message (issue 15, point 8)
  });

  it("rejects with the signal's reason when the caller aborts", async () => {
    const doFetch = createKeepAliveFetch({ timeoutMs: 5000 });
    const controller = new AbortController();
    const pending = doFetch(`${base}/stall`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');
    const already = new AbortController();
    already.abort(new Error('before it began'));
    await expect(doFetch(`${base}/echo`, { signal: already.signal })).rejects.toThrow('before it began');
  });
});
