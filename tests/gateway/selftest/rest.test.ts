import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Gateway } from '../index.js';
import { WS_A, WS_B, client, newCommand, useSelftestGateway } from './helpers.js';

let gw: Gateway;
const member = randomUUID();
const outsider = randomUUID();

useSelftestGateway((g) => (gw = g), member);

describe('PostgREST subset through supabase-js', () => {
  it('round-trips jsonb and text[] and applies column defaults', async () => {
    const sb = client(gw);
    const { data, error } = await sb.from('bridge_commands')
      .insert(newCommand(WS_A, { flags: ['--model', 'a,b "c"'], meta: { ticket: 7, nested: { ok: true } } }))
      .select().single();
    expect(error).toBeNull();
    expect(data.flags).toEqual(['--model', 'a,b "c"']);
    expect(data.meta).toEqual({ ticket: 7, nested: { ok: true } });
    expect(data.status).toBe('pending');
    expect(data.agent).toBe('claude');
    const raw = await gw.sql<{ flags: string[] }>('select flags from bridge_commands where id = $1', [data.id]);
    expect(raw.rows[0]!.flags).toEqual(['--model', 'a,b "c"']);
  });

  it('filters with eq/neq/in/is/lt/gte and a flat or, orders, limits, offsets, selects columns and counts', async () => {
    const sb = client(gw);
    const rows = ['pending', 'running', 'completed', 'pending'].map((status, index) =>
      newCommand(index === 3 ? WS_B : WS_A, { status, timeout_seconds: (index + 1) * 10, created_at: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString() }));
    const inserted = await sb.from('bridge_commands').insert(rows);
    expect(inserted.error).toBeNull();
    expect(inserted.status).toBe(201);
    expect(inserted.data).toBeNull();

    const byStatus = await sb.from('bridge_commands').select('status,timeout_seconds').in('status', ['pending', 'running']).order('created_at');
    expect(byStatus.data).toEqual([
      { status: 'pending', timeout_seconds: 10 }, { status: 'running', timeout_seconds: 20 }, { status: 'pending', timeout_seconds: 40 },
    ]);
    const page = await sb.from('bridge_commands').select('timeout_seconds', { count: 'exact' }).eq('workspace_id', WS_A)
      .order('created_at', { ascending: false }).range(1, 1);
    expect(page.data).toEqual([{ timeout_seconds: 20 }]);
    expect(page.count).toBe(3);
    const mixed = await sb.from('bridge_commands').select('timeout_seconds').neq('status', 'completed').lt('timeout_seconds', 40).gte('timeout_seconds', 20);
    expect(mixed.data).toEqual([{ timeout_seconds: 20 }]);
    const nulls = await sb.from('bridge_commands').select('id').is('target_machine_id', null);
    expect(nulls.data).toHaveLength(4);
    const head = await sb.from('bridge_commands').select('*', { count: 'exact', head: true }).eq('status', 'pending');
    expect(head.error).toBeNull();
    expect(head.count).toBe(2);
    expect(head.data).toBeNull();
    const aliased = await sb.from('bridge_commands').select('s:status').eq('timeout_seconds', 30);
    expect(aliased.data).toEqual([{ s: 'completed' }]);
    const either = await sb.from('bridge_commands').select('timeout_seconds').or('status.eq.completed,timeout_seconds.lt.20').order('created_at');
    expect(either.data).toEqual([{ timeout_seconds: 10 }, { timeout_seconds: 30 }]);
    const nested = await sb.from('bridge_commands').select('id').or('status.eq.x,and(status.eq.y,agent.eq.z)');
    expect(nested.error?.code).toBe('PGRST100');
  });

  it('upserts with merge-duplicates and ignore-duplicates on a conflict target', async () => {
    const sb = client(gw);
    const machine = { id: 'beacon-host', workspace_id: WS_A, name: 'host', status: 'online', agents_available: ['claude'] };
    expect((await sb.from('bridge_machines').upsert(machine)).error).toBeNull();
    expect((await sb.from('bridge_machines').upsert({ ...machine, status: 'busy' })).error).toBeNull();
    const ignored = await sb.from('bridge_machines').upsert({ ...machine, status: 'offline' }, { onConflict: 'id', ignoreDuplicates: true }).select();
    expect(ignored.error).toBeNull();
    expect(ignored.data).toEqual([]);
    const rows = await gw.sql('select status, agents_available from bridge_machines');
    expect(rows.rows).toEqual([{ status: 'busy', agents_available: ['claude'] }]);
  });

  it('the conditional PATCH claim gives the row to exactly one of two concurrent claimers', async () => {
    const [one, two] = [client(gw), client(gw)];
    for (let round = 0; round < 5; round += 1) {
      const { data } = await one.from('bridge_commands').insert(newCommand(WS_A)).select('id').single();
      const claim = (sb: typeof one, machine: string) => sb.from('bridge_commands')
        .update({ status: 'claimed', claimed_by_machine_id: machine, claimed_at: new Date().toISOString() })
        .eq('id', data!.id).eq('status', 'pending').select();
      const results = await Promise.all([claim(one, 'm1'), claim(two, 'm2')]);
      expect(results.map((r) => r.error)).toEqual([null, null]);
      expect(results.map((r) => r.data!.length).sort()).toEqual([0, 1]);
      const winner = results.find((r) => r.data!.length === 1)!.data![0]!.claimed_by_machine_id;
      const row = await gw.sql('select status, claimed_by_machine_id from bridge_commands where id = $1', [data!.id]);
      expect(row.rows[0]).toEqual({ status: 'claimed', claimed_by_machine_id: winner });
    }
  });

  it('claim_bridge_command hands distinct rows to concurrent callers (SKIP LOCKED) and respects eligibility', async () => {
    const sb = client(gw);
    const base = Date.UTC(2026, 0, 1);
    const eligible = Array.from({ length: 8 }, (_, i) => newCommand(WS_A, { created_at: new Date(base + i * 1000).toISOString() }));
    const ineligible = [
      newCommand(WS_A, { target_machine_id: 'other' }),
      newCommand(WS_A, { agent: 'bash' }),
      newCommand(WS_A, { command_type: 'bug_execution' }),
      newCommand(WS_B),
      newCommand(WS_A, { status: 'running' }),
    ];
    // One request per row: in a multi-row insert PostgREST sets keys missing from a row to NULL, not to the default.
    for (const row of [...eligible, ...ineligible]) expect((await sb.from('bridge_commands').insert(row)).error).toBeNull();
    const args = { p_machine_id: 'm1', p_workspace_ids: [WS_A], p_agents: ['claude'] };
    const callers = [client(gw), client(gw), client(gw), client(gw)];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => callers[i % 4]!.rpc('claim_bridge_command', args)));
    expect(results.every((r) => r.error === null)).toBe(true);
    const claimed = results.flatMap((r) => r.data as { id: string; status: string; claimed_by_machine_id: string }[]);
    expect(claimed).toHaveLength(8);
    expect(new Set(claimed.map((c) => c.id)).size).toBe(8);
    expect(claimed.every((c) => c.status === 'claimed' && c.claimed_by_machine_id === 'm1')).toBe(true);
    const left = await gw.sql(`select count(*)::int as n from bridge_commands where status = 'pending'`);
    expect(left.rows[0]!.n).toBe(4);
  });

  it('claim_bridge_command: targeted bug_execution, null agent and the p_command_ids restriction', async () => {
    const sb = client(gw);
    const ids: string[] = [];
    for (const row of [
      newCommand(WS_A, { command_type: 'bug_execution', target_machine_id: 'm1', created_at: '2026-01-01T00:00:00Z' }),
      newCommand(WS_A, { created_at: '2026-01-01T00:00:01Z' }),
      newCommand(WS_A, { created_at: '2026-01-01T00:00:02Z' }),
    ]) ids.push((await sb.from('bridge_commands').insert(row).select('id').single()).data!.id as string);
    const [bug, nullAgent, last] = ids;
    // agent is NOT NULL in a fresh project; an existing Mentu table may allow null, which counts as 'claude'.
    await gw.sql('alter table bridge_commands alter column agent drop not null');
    await gw.sql('update bridge_commands set agent = null where id = $1', [nullAgent]);
    const only = await sb.rpc('claim_bridge_command', { p_machine_id: 'm1', p_workspace_ids: [WS_A], p_agents: ['claude'], p_command_ids: [last] });
    expect((only.data as { id: string }[]).map((r) => r.id)).toEqual([last]);
    const next = await sb.rpc('claim_bridge_command', { p_machine_id: 'm1', p_workspace_ids: [WS_A], p_agents: ['claude'] });
    expect((next.data as { id: string }[]).map((r) => r.id)).toEqual([bug]);
    const third = await sb.rpc('claim_bridge_command', { p_machine_id: 'm1', p_workspace_ids: [WS_A], p_agents: ['claude'] });
    expect((third.data as { id: string }[]).map((r) => r.id)).toEqual([nullAgent]);
    const none = await sb.rpc('claim_bridge_command', { p_machine_id: 'm1', p_workspace_ids: [WS_A], p_agents: ['claude'] });
    expect(none.data).toEqual([]);
  });

  it('a multi-row insert sets keys missing from a row to NULL, as PostgREST does with ?columns=', async () => {
    const res = await client(gw).from('bridge_commands').insert([newCommand(WS_A), newCommand(WS_A, { status: 'pending' })]);
    expect(res.error?.code).toBe('23502');
    expect(res.status).toBe(400);
  });

  it('.single() on zero or two rows is PGRST116 (406); an insert answered that way is rolled back', async () => {
    const sb = client(gw);
    const zero = await sb.from('bridge_results').select('*').eq('command_id', randomUUID()).single();
    expect(zero.status).toBe(406);
    expect(zero.error?.code).toBe('PGRST116');
    const { data: cmd } = await sb.from('bridge_commands').insert(newCommand(WS_A)).select().single();
    const result = { command_id: cmd.id, machine_id: 'm1', status: 'success' };
    await sb.from('bridge_results').insert([result, result]);
    const two = await sb.from('bridge_results').select('*').eq('command_id', cmd.id).single();
    expect(two.error?.code).toBe('PGRST116');
    expect(two.error?.details).toContain('2 rows');
    const twoInserted = await sb.from('bridge_results').insert([result, result]).select().single();
    expect(twoInserted.error?.code).toBe('PGRST116');
    expect((await gw.sql('select count(*)::int as n from bridge_results')).rows[0]!.n).toBe(2);
  });

  it('an unknown column rejects the whole request with PGRST204', async () => {
    const sb = client(gw);
    const { data: cmd } = await sb.from('bridge_commands').insert(newCommand(WS_A)).select().single();
    const patch = await sb.from('bridge_commands').update({ status: 'completed', exit_code: 0 }).eq('id', cmd.id);
    expect(patch.status).toBe(400);
    expect(patch.error?.code).toBe('PGRST204');
    expect(patch.error?.message).toContain("'exit_code'");
    const row = await gw.sql('select status from bridge_commands where id = $1', [cmd.id]);
    expect(row.rows[0]!.status).toBe('pending');
    const insert = await sb.from('spawn_logs').insert({ command_id: cmd.id, workspace_id: WS_A, stream: 'stdout', message: 'x', line: 1 });
    expect(insert.error?.code).toBe('PGRST204');
  });

  it('rpc of a missing function is PGRST202 (404)', async () => {
    const res = await client(gw).rpc('claim_bridge_command_v9', { p_machine_id: 'm1' });
    expect(res.status).toBe(404);
    expect(res.error?.code).toBe('PGRST202');
    const wrongArgs = await client(gw).rpc('claim_bridge_command', { p_machine: 'm1' });
    expect(wrongArgs.error?.code).toBe('PGRST202');
  });

  it('401 without an API key or with a forged one', async () => {
    const noKey = await fetch(`${gw.url}/rest/v1/bridge_commands?select=*`);
    expect(noKey.status).toBe(401);
    const forged = await fetch(`${gw.url}/rest/v1/bridge_commands?select=*`, { headers: { apikey: `${gw.serviceRoleKey.slice(0, -4)}AAAA` } });
    expect(forged.status).toBe(401);
    const expired = await client(gw, { userJwt: gw.makeUserJwt(member, { expiresInSeconds: -10 }) }).from('bridge_commands').select('id');
    expect(expired.status).toBe(401);
    expect(expired.error?.code).toBe('PGRST303');
    const ok = await fetch(`${gw.url}/rest/v1/bridge_commands?select=*`, { headers: { apikey: gw.serviceRoleKey } });
    expect(ok.status).toBe(200);
  });

  it('filter values are data, never SQL', async () => {
    const sb = client(gw);
    await sb.from('bridge_commands').insert(newCommand(WS_A));
    const sneaky = await sb.from('bridge_commands').select('id').eq('prompt', "x' or '1'='1");
    expect(sneaky.data).toEqual([]);
    const badColumn = await sb.from('bridge_commands').select('id').eq('status" or 1=1 --' as 'status', 'pending');
    expect(badColumn.error?.code).toBe('42703');
    expect((await gw.sql('select count(*)::int as n from bridge_commands')).rows[0]!.n).toBe(1);
  });

  it('RLS: a workspace member sees only its workspace, a non-member sees nothing, anon cannot write', async () => {
    const sb = client(gw);
    await sb.from('bridge_commands').insert([newCommand(WS_A), newCommand(WS_A), newCommand(WS_B)]);
    const mine = await client(gw, { userJwt: gw.makeUserJwt(member) }).from('bridge_commands').select('workspace_id');
    expect(mine.error).toBeNull();
    expect(mine.data).toEqual([{ workspace_id: WS_A }, { workspace_id: WS_A }]);
    const theirs = await client(gw, { userJwt: gw.makeUserJwt(outsider) }).from('bridge_commands').select('id');
    expect(theirs.data).toEqual([]);
    const outsiderInsert = await client(gw, { userJwt: gw.makeUserJwt(outsider) }).from('bridge_commands').insert(newCommand(WS_A));
    expect(outsiderInsert.status).toBe(403);
    expect(outsiderInsert.error?.code).toBe('42501');
    const outsiderClaim = await client(gw, { userJwt: gw.makeUserJwt(outsider) })
      .rpc('claim_bridge_command', { p_machine_id: 'm9', p_workspace_ids: [WS_A], p_agents: ['claude'] });
    expect(outsiderClaim.data).toEqual([]);
    const memberClaim = await client(gw, { userJwt: gw.makeUserJwt(member) })
      .rpc('claim_bridge_command', { p_machine_id: 'm9', p_workspace_ids: [WS_A, WS_B], p_agents: ['claude'] });
    expect((memberClaim.data as { workspace_id: string }[]).map((r) => r.workspace_id)).toEqual([WS_A]);
    const anonRead = await fetch(`${gw.url}/rest/v1/bridge_commands?select=id`, { headers: { apikey: gw.anonKey } });
    expect(await anonRead.json()).toEqual([]);
    const anonWrite = await fetch(`${gw.url}/rest/v1/bridge_commands`, {
      method: 'POST', headers: { apikey: gw.anonKey, 'content-type': 'application/json' }, body: JSON.stringify(newCommand(WS_A)),
    });
    expect(anonWrite.status).toBe(401);
  });

  it('counts requests per route', async () => {
    const before = gw.stats.requests['GET /rest/v1/bridge_machines'] ?? 0;
    await client(gw).from('bridge_machines').select('*');
    expect(gw.stats.requests['GET /rest/v1/bridge_machines']).toBe(before + 1);
  });
});
