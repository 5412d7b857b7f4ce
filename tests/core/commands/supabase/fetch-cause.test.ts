import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseConnection } from '../../../../src-main/core/commands/supabase/client.js';
import { createKeepAliveFetch } from '../../../../src-main/core/commands/supabase/keep-alive-fetch.js';

/**
 * Issue 15, point 8: "TypeError: fetch failed" hid a timeout. A server that accepts and never answers:
 * the error a caller (and the log, and the UI) sees must say that the request timed out.
 */
let server: http.Server;
let base: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = http.createServer(() => {}); // never answers
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a request that times out', () => {
  it('the keep-alive fetch rejects with the timeout in its message', async () => {
    const fetch = createKeepAliveFetch({ timeoutMs: 200 });
    const error = (await fetch(`${base}/rest/v1/x`).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed: TimeoutError: The request took longer than 200 ms');
  });

  it('supabase-js passes it on: the error of a query says it timed out', async () => {
    const { client } = createSupabaseConnection({ url: base, apiKey: 'anon', accessToken: async () => 'token', requestTimeoutMs: 200 } as Parameters<typeof createSupabaseConnection>[0]);
    const response = await client.from('bridge_commands').select('id').limit(1);
    expect(response.error?.message).toMatch(/fetch failed: TimeoutError: The request took longer than 200 ms/);
  });
});
