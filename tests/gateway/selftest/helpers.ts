import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { beforeAll } from 'vitest';
import type { Gateway } from '../index.js';
import { useGateway } from '../use-gateway.js';
import { waitFor } from '../../support/wait.js';

export const WS_A = '0a0a0a0a-0000-4000-8000-00000000000a';
export const WS_B = '0b0b0b0b-0000-4000-8000-00000000000b';

/**
 * The test file's gateway (`set` receives it; emptied before each test, stopped after the file) with workspaces
 * A and B, of which `member` belongs to A.
 */
export function useSelftestGateway(set: (gw: Gateway) => void, member: string): void {
  let gw: Gateway;
  useGateway((g) => {
    gw = g;
    set(g);
  });
  beforeAll(async () => {
    await gw.sql(`insert into workspaces (id, name) values ($1, 'a'), ($2, 'b')`, [WS_A, WS_B]);
    await gw.sql(`insert into workspace_members (workspace_id, user_id) values ($1, $2)`, [WS_A, member]);
  });
}

export interface ClientOptions {
  /** A user JWT (gw.makeUserJwt) instead of the service role. */
  userJwt?: string;
  realtimeTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

/** The real supabase-js, configured as Beacon uses it on Node 20 (ws transport, no session persistence). */
export function client(gw: Gateway, options: ClientOptions = {}): SupabaseClient {
  const realtime = {
    transport: WebSocket as never,
    ...(options.realtimeTimeoutMs ? { timeout: options.realtimeTimeoutMs } : {}),
    ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
  };
  if (options.userJwt) {
    const jwt = options.userJwt;
    return createClient(gw.url, gw.anonKey, { accessToken: async () => jwt, realtime });
  }
  return createClient(gw.url, gw.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime });
}

export { setTimeout as sleep } from 'node:timers/promises';

/** A channel plus every status its subscribe callback reported, in order. */
export interface Watched {
  channel: RealtimeChannel;
  statuses: string[];
  events: { eventType: string; new: Record<string, unknown>; old: Record<string, unknown> }[];
}

type Binding = { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string };

/** Subscribes to postgres_changes bindings and records statuses and payloads. */
export function watch(sb: SupabaseClient, name: string, bindings: Binding[]): Watched {
  const watched: Watched = { channel: sb.channel(name), statuses: [], events: [] };
  for (const binding of bindings) {
    watched.channel.on(
      'postgres_changes' as never,
      { schema: 'public', ...binding } as never,
      ((payload: Watched['events'][number]) => watched.events.push(payload)) as never,
    );
  }
  watched.channel.subscribe((status) => watched.statuses.push(status));
  return watched;
}

export async function subscribed(watched: Watched, count = 1): Promise<void> {
  await waitFor(`SUBSCRIBED #${count}`, () => watched.statuses.filter((s) => s === 'SUBSCRIBED').length >= count, 5000);
}

export function newCommand(workspaceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { workspace_id: workspaceId, prompt: 'say hi', working_directory: '/tmp', ...extra };
}
