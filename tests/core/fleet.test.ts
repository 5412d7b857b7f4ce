import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { LockHolderView } from '../../src-main/core/contract/types.js';
import type { BridgeMachineRow } from '../../src-main/core/commands/source.js';
import { fetchBridgeMachines } from '../../src-main/core/commands/supabase/machine.js';
import { buildFleet } from '../../src-main/core/fleet.js';

const WS = '11111111-1111-4111-8111-111111111111';
const WS2 = '22222222-2222-4222-8222-222222222222';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

const rows: BridgeMachineRow[] = [
  { id: 'beacon-mymac', workspace_id: WS, name: 'My Mac', hostname: 'mymac', status: 'busy', last_seen_at: ago(20) },
  // Crashed four heartbeats ago, but its status column still says online.
  { id: 'macbook-rashid', workspace_id: WS, name: 'MacBook Pro', hostname: 'mbp', status: 'online', last_seen_at: ago(240) },
  { id: 'vps-mentu-01', workspace_id: WS2, name: 'VPS', hostname: 'vps', status: 'online', last_seen_at: ago(170) },
  { id: 'never-seen', workspace_id: WS2, name: null, hostname: null, status: 'online', last_seen_at: null },
];

function holder(partial: Partial<LockHolderView>): LockHolderView {
  return {
    type: 'beacon',
    mode: 'headless',
    pid: 4242,
    machineId: 'beacon-mymac',
    hostname: 'mymac',
    version: '0.1.0',
    startedAt: ago(600),
    alive: true,
    self: true,
    stopInstruction: 'beacon stop',
    ...partial,
  };
}

describe('the fleet model', () => {
  it('marks a machine silent for more than 3 heartbeats stale whatever its status, and a fresh one not', () => {
    const fleet = buildFleet({ rows, lockHolders: [holder({})], selfMachineId: 'beacon-mymac', heartbeatSeconds: 60, now: NOW });
    const byId = Object.fromEntries(fleet.map((m) => [m.id, m]));
    expect(byId['macbook-rashid']).toMatchObject({ status: 'online', heartbeatAgeSeconds: 240, stale: true, self: false });
    expect(byId['vps-mentu-01']).toMatchObject({ status: 'online', heartbeatAgeSeconds: 170, stale: false, workspaceId: WS2 });
    expect(byId['beacon-mymac']).toMatchObject({ status: 'busy', heartbeatAgeSeconds: 20, stale: false, self: true });
    expect(byId['never-seen']).toMatchObject({ name: 'never-seen', heartbeatAgeSeconds: null, stale: true });
    // Self first, then the live ones, then the stale ones.
    expect(fleet.map((m) => m.id)).toEqual(['beacon-mymac', 'vps-mentu-01', 'macbook-rashid', 'never-seen']);
    expect(fleet).toHaveLength(4);
  });

  it('uses the configured heartbeat period', () => {
    const fleet = buildFleet({ rows, lockHolders: [], selfMachineId: 'x', heartbeatSeconds: 30, now: NOW });
    expect(fleet.find((m) => m.id === 'vps-mentu-01')!.stale).toBe(true);
    expect(fleet.find((m) => m.id === 'beacon-mymac')!.stale).toBe(false);
  });

  it('adds a local lock holder that is not registered (a Bridge holding the lock)', () => {
    const bridge = holder({ type: 'bridge', mode: null, pid: 999, machineId: null, hostname: null, self: false });
    const fleet = buildFleet({ rows: [], lockHolders: [bridge], selfMachineId: 'beacon-mymac', heartbeatSeconds: 60, now: NOW });
    expect(fleet).toEqual([
      {
        id: 'bridge-pid-999',
        name: 'Bridge (pid 999)',
        hostname: null,
        workspaceId: '',
        status: 'online',
        lastSeenAt: null,
        heartbeatAgeSeconds: null,
        stale: false,
        self: false,
      },
    ]);
    const dead = buildFleet({ rows: [], lockHolders: [{ ...bridge, alive: false }], selfMachineId: 'b', heartbeatSeconds: 60, now: NOW });
    expect(dead[0]).toMatchObject({ status: 'offline', stale: true });
  });
});

describe('reading bridge_machines with supabase-js', () => {
  let server: Server | null = null;
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = null;
  });

  async function postgrest(handler: (url: URL) => { status: number; body: unknown }): Promise<{ url: string; seen: URL[] }> {
    const seen: URL[] = [];
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      seen.push(url);
      const answer = handler(url);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  const client = (url: string) =>
    createClient(url, 'test-service-key-for-a-local-server', {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });

  it('selects the rows of the configured workspaces and builds the fleet', async () => {
    const { url, seen } = await postgrest(() => ({ status: 200, body: rows.slice(0, 2) }));
    const fleet = buildFleet({
      rows: await fetchBridgeMachines(client(url), [WS, WS2]),
      lockHolders: [],
      selfMachineId: 'beacon-mymac',
      heartbeatSeconds: 60,
      now: NOW,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.pathname).toBe('/rest/v1/bridge_machines');
    expect(seen[0]!.searchParams.get('select')).toBe('*');
    expect(seen[0]!.searchParams.get('workspace_id')).toBe(`in.(${WS},${WS2})`);
    expect(fleet.map((m) => [m.id, m.stale])).toEqual([
      ['beacon-mymac', false],
      ['macbook-rashid', true],
    ]);
  });

  it('turns a refused read into a readable error, and asks nothing without workspaces', async () => {
    const { url, seen } = await postgrest(() => ({
      status: 401,
      body: { code: '42501', message: 'permission denied for table bridge_machines', details: null, hint: null },
    }));
    await expect(fetchBridgeMachines(client(url), [WS])).rejects.toThrow(
      'Cannot read the fleet from bridge_machines: permission denied for table bridge_machines (42501)',
    );
    expect(await fetchBridgeMachines(client(url), [])).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});
