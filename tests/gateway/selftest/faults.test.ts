import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { type Gateway } from '../index.js';
import { useGateway } from '../use-gateway.js';
import { WS_A, client, newCommand, sleep, subscribed, watch } from './helpers.js';
import { waitFor } from '../../support/wait.js';

let gw: Gateway;
const clients: SupabaseClient[] = [];
const track = (sb: SupabaseClient) => (clients.push(sb), sb);

useGateway((g) => (gw = g));
afterEach(async () => {
  gw.faults.clear();
  for (const sb of clients.splice(0)) await sb.removeAllChannels();
});

const inserts = [{ event: 'INSERT' as const, table: 'bridge_commands' }];

/** True when a TCP connection to the gateway is refused or cut before any byte comes back. */
function connectionRefused(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /rest/v1/x HTTP/1.1\r\nHost: x\r\n\r\n'));
    socket.once('data', () => (socket.destroy(), resolve(false)));
    socket.once('close', () => resolve(true));
    socket.once('error', () => resolve(true));
  });
}

describe('fault injection, as the client sees it', () => {
  it('dropAllSockets: the channel errors, then rejoins and delivers again', async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'drop', inserts);
    await subscribed(w);
    gw.faults.dropAllSockets();
    await waitFor('an error status', () => w.statuses.some((s) => s === 'CHANNEL_ERROR' || s === 'CLOSED'), 3000);
    await subscribed(w, 2);
    await sb.from('bridge_commands').insert(newCommand(WS_A));
    await waitFor('delivery after the rejoin', () => w.events.length === 1, 3000);
  });

  it("stallDelivery 'drop' loses changes made during the stall (no replay); later ones arrive", async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'stall-drop', inserts);
    await subscribed(w);
    gw.faults.stallDelivery(600, 'drop');
    const lost = await sb.from('bridge_commands').insert(newCommand(WS_A, { prompt: 'lost' })).select().single();
    await gw.settled();
    await sleep(700);
    const kept = await sb.from('bridge_commands').insert(newCommand(WS_A, { prompt: 'kept' })).select().single();
    await waitFor('the post-stall event', () => w.events.length >= 1, 3000);
    await gw.settled();
    await sleep(100);
    expect(w.events.map((e) => e.new.id)).toEqual([kept.data.id]);
    expect(lost.data.id).not.toBe(kept.data.id);
  });

  it("stallDelivery 'hold' delays changes until the stall ends", async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'stall-hold', inserts);
    await subscribed(w);
    gw.faults.stallDelivery(800, 'hold');
    const started = Date.now();
    await sb.from('bridge_commands').insert(newCommand(WS_A));
    await gw.settled();
    await sleep(300);
    expect(w.events).toHaveLength(0);
    await waitFor('the held event', () => w.events.length === 1, 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('refuseJoins: CHANNEL_ERROR while refused, SUBSCRIBED after the client retries', async () => {
    gw.faults.refuseJoins(true);
    const sb = track(client(gw));
    const w = watch(sb, 'refused', inserts);
    await waitFor('CHANNEL_ERROR', () => w.statuses.includes('CHANNEL_ERROR'), 3000);
    expect(w.statuses).not.toContain('SUBSCRIBED');
    gw.faults.refuseJoins(false);
    await subscribed(w, 1);
  });

  it('restFailures by count and by duration answer 503 through supabase-js', async () => {
    const sb = track(client(gw));
    gw.faults.restFailures({ status: 503, count: 2 });
    const statuses: number[] = [];
    // supabase-js 2.109 retries GET/HEAD on 503/520 and network errors (1 s, 2 s, 4 s): switch that off to see each answer.
    for (let i = 0; i < 3; i += 1) statuses.push((await sb.from('bridge_commands').select('id').retry(false)).status);
    expect(statuses).toEqual([503, 503, 200]);
    gw.faults.restFailures({ status: 503, count: 1 });
    const before = gw.stats.requests['GET /rest/v1/bridge_commands'] ?? 0;
    expect((await sb.from('bridge_commands').select('id')).status).toBe(200);
    expect(gw.stats.requests['GET /rest/v1/bridge_commands']).toBe(before + 2);
    gw.faults.restFailures({ status: 500, untilMs: 400 });
    const failed = await sb.from('bridge_commands').insert(newCommand(WS_A));
    expect(failed.status).toBe(500);
    expect(failed.error?.message).toContain('injected');
    await sleep(450);
    expect((await sb.from('bridge_commands').insert(newCommand(WS_A))).status).toBe(201);
    expect((await gw.sql('select count(*)::int as n from bridge_commands')).rows[0]!.n).toBe(1);
  });

  it('latency delays REST answers, and a slow join makes the channel TIMED_OUT', async () => {
    const sb = track(client(gw, { realtimeTimeoutMs: 300 }));
    gw.faults.latency(500);
    const started = Date.now();
    expect((await sb.from('bridge_commands').select('id')).error).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const w = watch(sb, 'slow', inserts);
    await waitFor('TIMED_OUT', () => w.statuses.includes('TIMED_OUT'), 3000);
  });

  it('unreachable: sockets close, REST and new connections are refused, then everything recovers', async () => {
    const sb = track(client(gw));
    const w = watch(sb, 'unreachable', inserts);
    await subscribed(w);
    gw.faults.unreachable(1500);
    await waitFor('an error status', () => w.statuses.some((s) => s === 'CHANNEL_ERROR' || s === 'CLOSED'), 3000);
    const down = await sb.from('bridge_commands').select('id').retry(false);
    expect(down.error).not.toBeNull();
    expect(down.status).not.toBe(200);
    expect(await connectionRefused(gw.url)).toBe(true);
    await sleep(1600);
    expect(await connectionRefused(gw.url)).toBe(false);
    expect((await sb.from('bridge_commands').select('id').retry(false)).status).toBe(200);
    await subscribed(w, 2);
    await sb.from('bridge_commands').insert(newCommand(WS_A));
    await waitFor('delivery after recovery', () => w.events.length === 1, 3000);
  });
});
