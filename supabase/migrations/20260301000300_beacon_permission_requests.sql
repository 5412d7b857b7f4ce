-- Beacon: live permission requests (docs/permissions.md), so a phone or web client signed in to the workspace can
-- answer what a running agent asks. Additive: a new table, its policies, grants and realtime membership; nothing
-- existing changes. The executor writes a row per request (status pending); the first guarded update to
-- allowed/denied wins, whoever makes it (this executor for its own surfaces, or a member's client).

create table if not exists public.bridge_permission_requests (
  id uuid primary key,
  workspace_id uuid not null,
  command_id uuid not null,
  machine_id text not null,
  tool_name text not null,
  -- One line a person reads (the file, the Bash command, the URL) and the detail (a diff, the whole command).
  summary text not null default '',
  detail text,
  tool_use_id text,
  status text not null default 'pending',
  -- once: this tool use; command: this tool for the rest of the command (allow only).
  answer_scope text,
  -- Words for the model with a denial, or Beacon's reason (no answer, the command ended, void after a restart).
  answer_message text,
  -- The member who answered (auth.uid(), stamped by the trigger below); null when the machine's own surfaces did.
  answered_by uuid,
  -- Who on the machine (its account name) for the machine's own surfaces.
  answered_by_name text,
  -- tray, dashboard, cli, mentu, no_answer, beacon.
  answered_via text,
  answered_at timestamptz,
  asked_at timestamptz not null default now(),
  deadline_at timestamptz not null,
  created_at timestamptz not null default now(),
  constraint bridge_permission_requests_status check (status in ('pending', 'allowed', 'denied', 'void')),
  constraint bridge_permission_requests_scope check (answer_scope is null or answer_scope in ('once', 'command')),
  constraint bridge_permission_requests_via check (answered_via is null or answered_via in ('tray', 'dashboard', 'cli', 'mentu', 'no_answer', 'beacon'))
);

create index if not exists bridge_permission_requests_machine_status on public.bridge_permission_requests (machine_id, status);
create index if not exists bridge_permission_requests_command on public.bridge_permission_requests (command_id);
create index if not exists bridge_permission_requests_workspace_pending on public.bridge_permission_requests (workspace_id) where status = 'pending';

-- A member's answer is stamped with who gave it and when, whatever the client sent; and an answer never moves
-- a settled row (the first answer stands). The service role (an executor with the service key) is trusted to
-- name its own surface.
create or replace function public.beacon_stamp_permission_answer()
returns trigger
language plpgsql
security definer
set search_path = public
as $$
begin
  if old.status <> 'pending' then
    raise exception 'permission request % is already %', old.id, old.status using errcode = 'check_violation';
  end if;
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.command_id <> old.command_id
     or new.machine_id <> old.machine_id or new.tool_name <> old.tool_name or new.summary <> old.summary
     or new.detail is distinct from old.detail or new.asked_at <> old.asked_at or new.deadline_at <> old.deadline_at then
    raise exception 'only the answer of a permission request can change' using errcode = 'check_violation';
  end if;
  if coalesce(auth.role(), '') <> 'service_role' then
    new.answered_by := auth.uid();
    new.answered_at := now();
  end if;
  return new;
end
$$;

drop trigger if exists beacon_stamp_permission_answer on public.bridge_permission_requests;
create trigger beacon_stamp_permission_answer before update on public.bridge_permission_requests
  for each row execute function public.beacon_stamp_permission_answer();

alter table public.bridge_permission_requests enable row level security;

-- Members read their workspace's requests and answer pending ones; inserting is for the executor (its service
-- key, or its owner's session, who is a member); nobody deletes through the API.
revoke all on public.bridge_permission_requests from anon, authenticated;
grant select, insert on public.bridge_permission_requests to authenticated;
grant update (status, answer_scope, answer_message, answered_by, answered_by_name, answered_via, answered_at)
  on public.bridge_permission_requests to authenticated;
grant select, insert, update, delete on public.bridge_permission_requests to service_role;

do $$
begin
  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'bridge_permission_requests'
                 and policyname = 'beacon_members_select_permission_requests') then
    create policy beacon_members_select_permission_requests on public.bridge_permission_requests
      for select to authenticated
      using (public.beacon_is_workspace_member(workspace_id));
  end if;
  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'bridge_permission_requests'
                 and policyname = 'beacon_members_insert_permission_requests') then
    create policy beacon_members_insert_permission_requests on public.bridge_permission_requests
      for insert to authenticated
      with check (public.beacon_is_workspace_member(workspace_id) and status = 'pending');
  end if;
  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'bridge_permission_requests'
                 and policyname = 'beacon_members_answer_permission_requests') then
    create policy beacon_members_answer_permission_requests on public.bridge_permission_requests
      for update to authenticated
      using (public.beacon_is_workspace_member(workspace_id) and status = 'pending')
      with check (public.beacon_is_workspace_member(workspace_id) and status in ('allowed', 'denied', 'void'));
  end if;
end
$$;

-- Realtime: the executor hears answers, clients hear new requests (RLS filters what each socket receives).
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
  if exists (select 1 from pg_publication where pubname = 'supabase_realtime' and puballtables) then
    return;
  end if;
  if not exists (select 1 from pg_publication_tables
                  where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'bridge_permission_requests') then
    alter publication supabase_realtime add table public.bridge_permission_requests;
  end if;
end
$$;
