import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Gateway } from '../index.js';
import { useGateway } from '../use-gateway.js';
import { WS_A } from './helpers.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 15, point 9: Mentu compatibility seen beside the old Bridge on one database. Beacon's migration
 * gives `flags` the default '{}' (the Bridge crashes on null flags); the gateway keeps idle HTTP connections
 * open as Supabase does (65 s, not Node's 5 s); its Realtime also speaks vsn 1.0.0 (JSON objects), which
 * earlier supabase-js clients, the Bridge's included, use.
 */
let gw: Gateway;
useGateway((g) => (gw = g));
beforeAll(async () => {
  await gw.sql(`insert into workspaces (id, name) values ($1, 'a') on conflict do nothing`, [WS_A]);
});

describe('beside the Bridge', () => {
  it("a command inserted without flags has flags '{}', not null", async () => {
    const row = (await gw.sql<{ flags: string[] | null }>(`insert into bridge_commands (workspace_id, prompt, working_directory) values ($1, 'p', '/tmp') returning flags`, [WS_A])).rows[0]!;
    expect(row.flags).toEqual([]);
    const column = (await gw.sql<{ d: string | null }>(`select column_default as d from information_schema.columns where table_name = 'bridge_commands' and column_name = 'flags'`)).rows[0]!;
    expect(column.d).toBe("'{}'::text[]");
  });

  it('an idle keep-alive connection is still open after 6 s (Node would have closed it at 5 s)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = http.get(`${gw.url}/rest/v1/bridge_commands?select=id&limit=1`, { agent, headers: { apikey: gw.serviceRoleKey, authorization: `Bearer ${gw.serviceRoleKey}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
        });
        req.on('error', reject);
      });
    const first = await get();
    let closed = false;
    (first.socket as import('node:net').Socket).once('close', () => (closed = true));
    await delay(6000); // the property under test is an idle period
    expect(closed).toBe(false);
    const second = await get();
    expect(second.status).toBe(200);
    expect(second.socket).toBe(first.socket);
    agent.destroy();
  });

  it('Realtime vsn 1.0.0: JSON-object frames join postgres_changes and receive the INSERT as objects', async () => {
    const url = `${gw.url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${gw.serviceRoleKey}&vsn=1.0.0`;
    const ws = new WebSocket(url);
    const received: Record<string, unknown>[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({
      topic: 'realtime:bridge', event: 'phx_join', ref: '1', join_ref: '1',
      payload: { config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'bridge_commands' }] }, access_token: gw.serviceRoleKey },
    }));
    const reply = await waitFor('the join reply', () => received.find((m) => m.event === 'phx_reply' && m.ref === '1'), 5000);
    expect(reply).toMatchObject({ topic: 'realtime:bridge', payload: { status: 'ok' } });
    ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', ref: '2', payload: {} }));
    await waitFor('the heartbeat reply', () => received.find((m) => m.event === 'phx_reply' && m.ref === '2'), 5000);

    const inserted = (await gw.sql<{ id: string }>(`insert into bridge_commands (workspace_id, prompt, working_directory) values ($1, 'hello', '/tmp') returning id`, [WS_A])).rows[0]!;
    const change = await waitFor('the INSERT event', () => received.find((m) => m.event === 'postgres_changes'), 5000);
    expect(Array.isArray(change)).toBe(false);
    expect(change).toMatchObject({ topic: 'realtime:bridge', payload: { data: { type: 'INSERT', record: { id: inserted.id, prompt: 'hello' } } } });
    ws.close();
  });
});
