import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../index.js';
import { migrationFiles } from '../postgres.js';
import { WS_A, client } from './helpers.js';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function applyMigrations(g: Gateway): Promise<void> {
  for (const file of migrationFiles()) await g.sql(fs.readFileSync(file, 'utf8'));
}

const TABLES = ['workspaces', 'workspace_members', 'bridge_commands', 'bridge_machines', 'bridge_results', 'spawn_logs', 'bridge_permission_requests'];

/** Everything the migrations touch, in a comparable form. */
async function schemaSnapshot(g: Gateway) {
  const q = async (text: string) => (await g.sql(text, [TABLES])).rows;
  return {
    columns: await q(`select table_name, column_name, data_type, udt_name, is_nullable, column_default
                        from information_schema.columns where table_schema = 'public' and table_name = any($1)
                       order by table_name, ordinal_position`),
    indexes: await q(`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = any($1) order by 1, 2`),
    policies: await q(`select tablename, policyname, cmd, roles::text, qual, with_check from pg_policies where schemaname = 'public' and tablename = any($1) order by 1, 2`),
    rls: await q(`select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relname = any($1) order by 1`),
    publication: await q(`select tablename from pg_publication_tables where pubname = 'supabase_realtime' and tablename = any($1) order by 1`),
    functions: await q(`select proname, prosecdef, proconfig::text, pg_get_function_identity_arguments(oid) as args, proacl::text
                          from pg_proc where pronamespace = 'public'::regnamespace and proname = any(array['claim_bridge_command', 'beacon_is_workspace_member', 'beacon_can_access_command', 'beacon_stamp_permission_answer']) and $1::text[] is not null order by 1`),
  };
}

const MENTU_LIKE = `
  create table public.workspaces (id uuid primary key default gen_random_uuid(), name text not null unique, display_name text,
    created_at timestamptz default now(), created_by uuid, settings jsonb default '{}'::jsonb);
  alter table public.workspaces enable row level security;
  create policy mentu_workspaces_read on public.workspaces for select to authenticated using (true);
  create table public.workspace_members (workspace_id uuid references public.workspaces(id), user_id uuid, role text default 'member',
    joined_at timestamptz default now(), primary key (workspace_id, user_id));
  create table public.bridge_commands (id uuid primary key default gen_random_uuid(), workspace_id uuid not null references public.workspaces(id),
    prompt text not null, working_directory text not null, agent text default 'claude', flags text[], timeout_seconds bigint,
    target_machine_id text, status text default 'pending', created_at timestamptz default now(), claimed_at timestamptz,
    started_at timestamptz, completed_at timestamptz, claimed_by_machine_id text, commitment_id text,
    approval_required boolean default false, approval_status text default 'not_required', exit_code int, output text, error text);
  alter table public.bridge_commands enable row level security;
  create policy mentu_service_all on public.bridge_commands for all to service_role using (true);
  create table public.bridge_results (id uuid primary key default gen_random_uuid(), command_id uuid references public.bridge_commands(id),
    machine_id text, status text, exit_code int, stdout text, stderr text, error_message text,
    started_at timestamptz not null, completed_at timestamptz not null);
  create table public.bridge_machines (id text primary key, workspace_id uuid not null, user_id uuid not null, name text not null,
    hostname text, agents_available text[], status text default 'offline', last_seen_at timestamptz, current_command_id text,
    created_at timestamptz default now());
  create table public.spawn_logs (id uuid primary key default gen_random_uuid(), command_id uuid, workspace_id uuid, stream text,
    message text, ts timestamptz default now());
  insert into public.workspaces (id, name) values ('${WS_A}', 'mentu');
  insert into public.bridge_commands (id, workspace_id, prompt, working_directory, status, created_at)
    values ('c0000000-0000-4000-8000-000000000001', '${WS_A}', 'old done', '/srv', 'completed', '2025-01-01T00:00:00Z'),
           ('c0000000-0000-4000-8000-000000000002', '${WS_A}', 'old pending', '/srv', 'pending', '2025-01-02T00:00:00Z');
  insert into public.bridge_machines (id, workspace_id, user_id, name, current_command_id)
    values ('vps-mentu-01', '${WS_A}', gen_random_uuid(), 'vps', 'not-a-uuid');
`;

describe('supabase/migrations', () => {
  it('apply to an empty project, twice in a row, with the same result', async () => {
    gw = await startGateway({ applyMigrations: false });
    await applyMigrations(gw);
    const first = await schemaSnapshot(gw);
    await applyMigrations(gw);
    expect(await schemaSnapshot(gw)).toEqual(first);

    expect(first.publication.map((r) => r.tablename)).toEqual(['bridge_commands', 'bridge_machines', 'bridge_permission_requests', 'bridge_results', 'spawn_logs']);
    expect(first.rls.every((r) => r.relrowsecurity === true)).toBe(true);
    const indexes = first.indexes.map((r) => String(r.indexdef));
    expect(indexes.some((d) => d.includes('bridge_commands') && d.includes('(workspace_id, status, created_at)'))).toBe(true);
    expect(indexes.some((d) => d.includes('spawn_logs') && d.includes('(command_id, ts)'))).toBe(true);
    const claim = first.functions.find((f) => f.proname === 'claim_bridge_command')!;
    expect(claim.prosecdef).toBe(true);
    expect(claim.proconfig).toContain('search_path=public');
    expect(claim.args).toBe('p_machine_id text, p_workspace_ids uuid[], p_agents text[], p_command_ids uuid[]');
    expect(claim.proacl).toMatch(/authenticated=X/);
    expect(claim.proacl).toMatch(/service_role=X/);
    expect(claim.proacl).not.toMatch(/anon=X/);
    expect(first.policies.map((p) => p.policyname)).toEqual(expect.arrayContaining([
      'beacon_members_all_bridge_commands', 'beacon_members_select_workspaces', 'beacon_members_select_workspace_members',
    ]));
  });

  it('apply on top of an existing Mentu-like schema without changing its columns, rows or policies', async () => {
    gw = await startGateway({ applyMigrations: false });
    await gw.sql(MENTU_LIKE);
    const before = await schemaSnapshot(gw);
    await applyMigrations(gw);
    const after = await schemaSnapshot(gw);

    // Every pre-existing column keeps its type, nullability and default; only new columns appear.
    for (const column of before.columns) {
      expect(after.columns).toContainEqual(column);
    }
    const added = after.columns.filter((c) => !before.columns.some((b) => b.table_name === c.table_name && b.column_name === c.column_name));
    expect(added.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining([
      'bridge_commands.command_type', 'bridge_commands.payload', 'bridge_commands.meta', 'bridge_commands.with_worktree',
      'bridge_results.stdout_truncated', 'bridge_results.stderr_truncated',
    ]));
    // Columns added to existing tables are nullable (a table the migrations create whole may require its own).
    expect(added.filter((c) => before.columns.some((b) => b.table_name === c.table_name)).every((c) => c.is_nullable === 'YES')).toBe(true);
    // Mentu's own policies stay; its workspace tables get no extra policy.
    for (const policy of before.policies) expect(after.policies).toContainEqual(policy);
    expect(after.policies.filter((p) => p.tablename === 'workspaces' || p.tablename === 'workspace_members')).toEqual(before.policies.filter((p) => p.tablename === 'workspaces'));
    expect(after.publication).toHaveLength(5);
    expect(after.indexes.length).toBeGreaterThan(before.indexes.length);

    const rows = await gw.sql(`select id, status, approval_status, timeout_seconds from bridge_commands order by created_at`);
    expect(rows.rows.map((r) => [r.status, r.approval_status])).toEqual([['completed', 'not_required'], ['pending', 'not_required']]);
    expect((await gw.sql(`select current_command_id from bridge_machines`)).rows).toEqual([{ current_command_id: 'not-a-uuid' }]);

    // The claim function works on the old rows through the REST gateway.
    const claimed = await client(gw).rpc('claim_bridge_command', { p_machine_id: 'beacon-host', p_workspace_ids: [WS_A], p_agents: ['claude'] });
    expect(claimed.error).toBeNull();
    expect((claimed.data as { id: string }[]).map((r) => r.id)).toEqual(['c0000000-0000-4000-8000-000000000002']);

    await applyMigrations(gw);
    const again = await schemaSnapshot(gw);
    expect(again).toEqual(after);
  });
});
