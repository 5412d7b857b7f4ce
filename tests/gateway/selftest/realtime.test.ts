import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { type Gateway } from '../index.js';
import { WS_A, WS_B, client, useSelftestGateway, newCommand, sleep, subscribed, watch } from './helpers.js';
import { waitFor } from '../../support/wait.js';

let gw: Gateway;
const member = randomUUID();
const clients: SupabaseClient[] = [];
const track = (sb: SupabaseClient) => (clients.push(sb), sb);

useSelftestGateway((g) => (gw = g), member);
afterEach(async () => {
  for (const sb of clients.splice(0)) await sb.removeAllChannels();
});

describe('Realtime postgres_changes through supabase-js', () => {
  it('delivers INSERT and UPDATE matching an eq filter, and nothing for other workspaces', async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'commands-a', [
      { event: 'INSERT', table: 'bridge_commands', filter: `workspace_id=eq.${WS_A}` },
      { event: 'UPDATE', table: 'bridge_commands', filter: `workspace_id=eq.${WS_A}` },
    ]);
    await subscribed(w);
    const other = await sb.from('bridge_commands').insert(newCommand(WS_B)).select().single();
    const mine = await sb.from('bridge_commands').insert(newCommand(WS_A, { flags: ['-x'], meta: { k: 1 } })).select().single();
    await sb.from('bridge_commands').update({ status: 'claimed' }).eq('id', mine.data.id);
    await sb.from('bridge_commands').update({ status: 'claimed' }).eq('id', other.data.id);
    await waitFor('two events', () => w.events.length >= 2, 3000);
    await gw.settled();
    await sleep(100);
    expect(w.events.map((e) => [e.eventType, e.new.id, e.new.status])).toEqual([
      ['INSERT', mine.data.id, 'pending'],
      ['UPDATE', mine.data.id, 'claimed'],
    ]);
    expect(w.events[0]!.new.flags).toEqual(['-x']);
    expect(w.events[0]!.new.meta).toEqual({ k: 1 });
    // Without REPLICA IDENTITY FULL the old record carries only the primary key.
    expect(w.events[1]!.old).toEqual({ id: mine.data.id });
  });

  it('an UPDATE-only binding receives no INSERT; a * binding on the same channel receives both', async () => {
    const sb = track(client(gw));
    const updates = watch(sb, 'updates-only', [{ event: 'UPDATE', table: 'bridge_commands' }]);
    const all = watch(sb, 'everything', [{ event: '*', table: 'bridge_commands' }]);
    await subscribed(updates);
    await subscribed(all);
    const row = await sb.from('bridge_commands').insert(newCommand(WS_A)).select().single();
    await sb.from('bridge_commands').update({ status: 'cancelled' }).eq('id', row.data.id);
    await sb.from('bridge_commands').delete().eq('id', row.data.id);
    await waitFor('three events on *', () => all.events.length >= 3, 3000);
    await gw.settled();
    await sleep(100);
    expect(updates.events.map((e) => e.eventType)).toEqual(['UPDATE']);
    expect(all.events.map((e) => e.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
  });

  it('delivers rows larger than a NOTIFY payload in full', async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'big', [{ event: 'INSERT', table: 'spawn_logs' }]);
    await subscribed(w);
    const cmd = await sb.from('bridge_commands').insert(newCommand(WS_A)).select().single();
    const message = 'ü'.repeat(20_000);
    expect((await sb.from('spawn_logs').insert({ command_id: cmd.data.id, workspace_id: WS_A, stream: 'stdout', message })).error).toBeNull();
    await waitFor('the large insert', () => w.events.length === 1, 3000);
    expect(w.events[0]!.new.message).toBe(message);
    expect(w.events[0]!.new.command_id).toBe(cmd.data.id);
  });

  it('sends the system message after the join and answers heartbeats (raw protocol)', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${gw.serviceRoleKey}&vsn=2.0.0`);
    const frames: unknown[][] = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as unknown[]));
    await new Promise((resolve) => ws.once('open', resolve));
    const binding = { event: 'INSERT', schema: 'public', table: 'spawn_logs', filter: 'command_id=eq.abc' };
    ws.send(JSON.stringify(['1', '1', 'realtime:logs', 'phx_join', { config: { postgres_changes: [binding, { event: '*', schema: 'public', table: 'bridge_results' }] } }]));
    ws.send(JSON.stringify([null, '2', 'phoenix', 'heartbeat', {}]));
    await waitFor('join reply, presence, system, heartbeat reply', () => frames.length >= 4, 3000);
    const join = frames.find((f) => f[3] === 'phx_reply' && f[1] === '1')!;
    const response = (join[4] as { status: string; response: { postgres_changes: { id: number }[] } });
    expect(response.status).toBe('ok');
    expect(response.response.postgres_changes.map(({ id: _id, ...rest }) => rest)).toEqual([binding, { event: '*', schema: 'public', table: 'bridge_results' }]);
    expect(typeof response.response.postgres_changes[0]!.id).toBe('number');
    expect(frames.find((f) => f[3] === 'system')![4]).toEqual({ channel: 'logs', extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok' });
    expect(frames.find((f) => f[2] === 'phoenix')).toEqual([null, '2', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    ws.send(JSON.stringify(['1', '3', 'realtime:logs', 'phx_join', { config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'no_such_table' }] } }]));
    await waitFor('second join reply', () => frames.find((f) => f[1] === '3'), 3000);
    expect((frames.find((f) => f[1] === '3')![4] as { status: string }).status).toBe('error');
    ws.close();
  });

  it('binding ids are stable: the same binding gets the same id on a new socket', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${gw.serviceRoleKey}&vsn=2.0.0`);
      const reply = new Promise<unknown[]>((resolve) => ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as unknown[];
        if (f[3] === 'phx_reply') resolve(f);
      }));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify(['1', '1', `realtime:c${i}`, 'phx_join', { config: { postgres_changes: [{ event: 'UPDATE', schema: 'public', table: 'bridge_commands', filter: 'status=eq.cancelled' }] } }]));
      ids.push(((await reply)[4] as { response: { postgres_changes: { id: number }[] } }).response.postgres_changes[0]!.id);
      ws.close();
    }
    expect(ids[0]).toBe(ids[1]);
  });

  it('RLS: a member receives its workspace rows only, a non-member receives nothing', async () => {
    const service = track(client(gw));
    const memberJwt = gw.makeUserJwt(member);
    const outsiderJwt = gw.makeUserJwt(randomUUID());
    const memberClient = track(client(gw, { userJwt: memberJwt }));
    const outsiderClient = track(client(gw, { userJwt: outsiderJwt }));
    // Without this, a channel subscribed straight after createClient joins with the anon key
    // (docs/supabase-wire.md#access-token: access_token is only sent when known at subscribe time).
    await memberClient.realtime.setAuth(memberJwt);
    await outsiderClient.realtime.setAuth(outsiderJwt);
    const m = watch(memberClient, 'member', [{ event: '*', table: 'bridge_commands' }, { event: 'INSERT', table: 'spawn_logs' }]);
    const o = watch(outsiderClient, 'outsider', [{ event: '*', table: 'bridge_commands' }]);
    const s = watch(service, 'service', [{ event: 'INSERT', table: 'bridge_commands' }]);
    await Promise.all([subscribed(m), subscribed(o), subscribed(s)]);
    const a = await service.from('bridge_commands').insert(newCommand(WS_A)).select().single();
    await service.from('bridge_commands').insert(newCommand(WS_B));
    await service.from('spawn_logs').insert({ command_id: a.data.id, workspace_id: WS_A, stream: 'stdout', message: 'hello' });
    await waitFor('service and member events', () => s.events.length >= 2 && m.events.length >= 2, 3000);
    await gw.settled();
    await sleep(150);
    expect(m.events.map((e) => [e.eventType, e.new.workspace_id])).toEqual([['INSERT', WS_A], ['INSERT', WS_A]]);
    expect(m.events[1]!.new.message).toBe('hello');
    expect(o.events).toEqual([]);
    expect(s.events).toHaveLength(2);
  });

  it('access_token upgrades a channel joined with the anon key to the user, so RLS lets rows through', async () => {
    const service = track(client(gw));
    const anonClient = track(createClient(gw.url, gw.anonKey, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } }));
    const w = watch(anonClient, 'late-token', [{ event: 'INSERT', table: 'bridge_commands' }]);
    await subscribed(w);
    await service.from('bridge_commands').insert(newCommand(WS_A, { prompt: 'before' }));
    await gw.settled();
    await sleep(150);
    expect(w.events).toEqual([]);
    await anonClient.realtime.setAuth(gw.makeUserJwt(member));
    await sleep(150);
    await service.from('bridge_commands').insert(newCommand(WS_A, { prompt: 'after' }));
    await waitFor('event after access_token', () => w.events.length === 1, 3000);
    expect(w.events[0]!.new.prompt).toBe('after');
  });

  it('access_token: an invalid token closes the channel (Realtime shuts it down), a valid one keeps it working', async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'token', [{ event: 'INSERT', table: 'bridge_commands' }]);
    await subscribed(w);
    await sb.realtime.setAuth(gw.serviceRoleKey);
    await sb.from('bridge_commands').insert(newCommand(WS_A));
    await waitFor('event with a valid token', () => w.events.length === 1, 3000);
    await sb.realtime.setAuth('not.a.jwt');
    await waitFor('CLOSED after a bad token', () => w.statuses.includes('CLOSED'), 3000);
  });

  it('answers supabase-js heartbeats, so a quiet socket stays connected', async () => {
    const sb = track(client(gw, { heartbeatIntervalMs: 150 }));
    const w = watch(sb, 'quiet', [{ event: 'INSERT', table: 'bridge_commands' }]);
    await subscribed(w);
    const joins = gw.stats.joins;
    await sleep(1200);
    // A missed heartbeat reply would make the client close the socket and rejoin.
    expect(gw.stats.joins).toBe(joins);
    expect(w.statuses).toEqual(['SUBSCRIBED']);
  });

  it('tracks open sockets and deliveries', async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'stats', [{ event: 'INSERT', table: 'bridge_machines' }]);
    await subscribed(w);
    expect(gw.stats.openSockets).toBeGreaterThanOrEqual(1);
    const before = gw.stats.eventsDelivered;
    await sb.from('bridge_machines').insert({ id: 'm-stats', workspace_id: WS_A, name: 'm' });
    await waitFor('machine insert', () => w.events.length === 1, 3000);
    expect(gw.stats.eventsDelivered).toBe(before + 1);
  });
});
