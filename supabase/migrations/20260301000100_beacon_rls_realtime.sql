-- Beacon: row-level security for workspace members, grants, and realtime publication membership.
-- Policies are permissive and additive: existing policies keep working (Postgres ORs them).
-- The service_role key bypasses RLS (BYPASSRLS), so a headless executor with it sees everything.

-- Membership test. SECURITY DEFINER so it can read workspace_members whatever that table's own
-- policies are (and without recursing into them). Comparisons go through text so it also works
-- where an existing project typed user_id or workspace_id as text.
create or replace function public.beacon_is_workspace_member(p_workspace_id uuid)
returns boolean
language sql
stable
security definer
set search_path = public
as $$
  select exists (
    select 1
      from public.workspace_members wm
     where wm.workspace_id::text = p_workspace_id::text
       and wm.user_id::text = auth.uid()::text
  );
$$;

-- bridge_results has no workspace_id: access follows the command it belongs to.
create or replace function public.beacon_can_access_command(p_command_id uuid)
returns boolean
language sql
stable
security definer
set search_path = public
as $$
  select exists (
    select 1
      from public.bridge_commands c
     where c.id = p_command_id
       and public.beacon_is_workspace_member(c.workspace_id)
  );
$$;

revoke execute on function public.beacon_is_workspace_member(uuid) from public, anon;
revoke execute on function public.beacon_can_access_command(uuid) from public, anon;
grant execute on function public.beacon_is_workspace_member(uuid) to authenticated, service_role;
grant execute on function public.beacon_can_access_command(uuid) to authenticated, service_role;

alter table public.bridge_commands enable row level security;
alter table public.bridge_machines enable row level security;
alter table public.bridge_results enable row level security;
alter table public.spawn_logs enable row level security;

grant select, insert, update, delete on public.bridge_commands, public.bridge_machines,
  public.bridge_results, public.spawn_logs to authenticated, service_role;

do $$
begin
  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'bridge_commands'
                 and policyname = 'beacon_members_all_bridge_commands') then
    create policy beacon_members_all_bridge_commands on public.bridge_commands
      for all to authenticated
      using (public.beacon_is_workspace_member(workspace_id))
      with check (public.beacon_is_workspace_member(workspace_id));
  end if;

  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'bridge_machines'
                 and policyname = 'beacon_members_all_bridge_machines') then
    create policy beacon_members_all_bridge_machines on public.bridge_machines
      for all to authenticated
      using (public.beacon_is_workspace_member(workspace_id))
      with check (public.beacon_is_workspace_member(workspace_id));
  end if;

  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'bridge_results'
                 and policyname = 'beacon_members_all_bridge_results') then
    create policy beacon_members_all_bridge_results on public.bridge_results
      for all to authenticated
      using (public.beacon_can_access_command(command_id))
      with check (public.beacon_can_access_command(command_id));
  end if;

  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'spawn_logs'
                 and policyname = 'beacon_members_all_spawn_logs') then
    create policy beacon_members_all_spawn_logs on public.spawn_logs
      for all to authenticated
      using (public.beacon_is_workspace_member(workspace_id))
      with check (public.beacon_is_workspace_member(workspace_id));
  end if;
end
$$;

-- workspaces / workspace_members: only when RLS is on and no policy exists, i.e. the minimal
-- tables the previous migration created. A Mentu project's own tables and policies are untouched.
do $$
begin
  if exists (select 1 from pg_class where oid = 'public.workspaces'::regclass and relrowsecurity)
     and not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'workspaces') then
    create policy beacon_members_select_workspaces on public.workspaces
      for select to authenticated
      using (public.beacon_is_workspace_member(id));
  end if;
  if exists (select 1 from pg_class where oid = 'public.workspace_members'::regclass and relrowsecurity)
     and not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'workspace_members') then
    create policy beacon_members_select_workspace_members on public.workspace_members
      for select to authenticated
      using (user_id::text = auth.uid()::text or public.beacon_is_workspace_member(workspace_id));
  end if;
end
$$;

-- Realtime: the dashboard and executors subscribe to postgres_changes on these four tables.
do $$
declare
  t text;
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
  -- A FOR ALL TABLES publication already covers them (and refuses ADD TABLE).
  if exists (select 1 from pg_publication where pubname = 'supabase_realtime' and puballtables) then
    return;
  end if;
  foreach t in array array['bridge_commands', 'bridge_machines', 'bridge_results', 'spawn_logs'] loop
    if not exists (select 1 from pg_publication_tables
                    where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t) then
      execute format('alter publication supabase_realtime add table public.%I', t);
    end if;
  end loop;
end
$$;
