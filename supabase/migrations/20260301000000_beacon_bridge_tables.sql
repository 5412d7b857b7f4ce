-- Beacon: the Mentu bridge tables, created if missing and completed if partial.
-- Additive only: existing columns, types, defaults and constraints are never changed.
-- Columns added to an existing table are nullable (NOT NULL would fail on existing rows).
-- gen_random_uuid() is built into Postgres 13+ (every Supabase project).


-- Minimal workspace tables so the RLS model applies to an empty project. On a Mentu project they
-- already exist and are left untouched. Created here with RLS on (the member policies come in the
-- next migration), so an empty project never exposes them to the API roles.
do $$
begin
  if to_regclass('public.workspaces') is null then
    create table public.workspaces (
      id uuid primary key default gen_random_uuid(),
      name text not null unique,
      display_name text,
      created_at timestamptz not null default now(),
      created_by uuid,
      genesis_key jsonb,
      settings jsonb not null default '{}'::jsonb
    );
    alter table public.workspaces enable row level security;
  end if;
  if to_regclass('public.workspace_members') is null then
    create table public.workspace_members (
      workspace_id uuid not null references public.workspaces(id) on delete cascade,
      user_id uuid not null,
      role text not null default 'member',
      joined_at timestamptz not null default now(),
      primary key (workspace_id, user_id)
    );
    alter table public.workspace_members enable row level security;
  end if;
end
$$;

-- The command queue (docs/mentu-schema.md#bridge-commands).
create table if not exists public.bridge_commands (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  prompt text not null,
  working_directory text not null,
  agent text not null default 'claude',
  -- '{}' rather than null: the older Bridge reads flags as a list and crashes on null (issue 15, point 9).
  flags text[] default '{}',
  timeout_seconds integer,
  target_machine_id text,
  status text not null default 'pending',
  created_at timestamptz not null default now(),
  claimed_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  claimed_by_machine_id text,
  created_by text,
  commitment_id text,
  meta jsonb,
  command_type text,
  payload jsonb,
  result jsonb,
  approval_required boolean default false,
  on_approve text,
  approval_status text,
  approved_at timestamptz,
  approved_by text,
  with_worktree boolean
);

alter table public.bridge_commands add column if not exists workspace_id uuid;
alter table public.bridge_commands add column if not exists prompt text;
alter table public.bridge_commands add column if not exists working_directory text;
alter table public.bridge_commands add column if not exists agent text default 'claude';
alter table public.bridge_commands add column if not exists flags text[] default '{}';
alter table public.bridge_commands add column if not exists timeout_seconds integer;
alter table public.bridge_commands add column if not exists target_machine_id text;
alter table public.bridge_commands add column if not exists status text default 'pending';
alter table public.bridge_commands add column if not exists created_at timestamptz default now();
alter table public.bridge_commands add column if not exists claimed_at timestamptz;
alter table public.bridge_commands add column if not exists started_at timestamptz;
alter table public.bridge_commands add column if not exists completed_at timestamptz;
alter table public.bridge_commands add column if not exists claimed_by_machine_id text;
alter table public.bridge_commands add column if not exists created_by text;
alter table public.bridge_commands add column if not exists commitment_id text;
alter table public.bridge_commands add column if not exists meta jsonb;
alter table public.bridge_commands add column if not exists command_type text;
alter table public.bridge_commands add column if not exists payload jsonb;
alter table public.bridge_commands add column if not exists result jsonb;
alter table public.bridge_commands add column if not exists approval_required boolean default false;
alter table public.bridge_commands add column if not exists on_approve text;
alter table public.bridge_commands add column if not exists approval_status text;
alter table public.bridge_commands add column if not exists approved_at timestamptz;
alter table public.bridge_commands add column if not exists approved_by text;
alter table public.bridge_commands add column if not exists with_worktree boolean;
-- exit_code / output / error are deliberately NOT added: their existence in Mentu is doubtful
-- (docs/mentu-schema.md#doubtful-columns) and Beacon never relies on them.

-- One row per finished command (docs/mentu-schema.md#bridge-results).
create table if not exists public.bridge_results (
  id uuid primary key default gen_random_uuid(),
  command_id uuid not null references public.bridge_commands(id) on delete cascade,
  machine_id text not null,
  status text not null,
  exit_code integer,
  stdout text,
  stderr text,
  stdout_truncated boolean default false,
  stderr_truncated boolean default false,
  error_message text,
  started_at timestamptz not null default now(),
  completed_at timestamptz not null default now()
);

alter table public.bridge_results add column if not exists command_id uuid;
alter table public.bridge_results add column if not exists machine_id text;
alter table public.bridge_results add column if not exists status text;
alter table public.bridge_results add column if not exists exit_code integer;
alter table public.bridge_results add column if not exists stdout text;
alter table public.bridge_results add column if not exists stderr text;
alter table public.bridge_results add column if not exists stdout_truncated boolean default false;
alter table public.bridge_results add column if not exists stderr_truncated boolean default false;
alter table public.bridge_results add column if not exists error_message text;
alter table public.bridge_results add column if not exists started_at timestamptz default now();
alter table public.bridge_results add column if not exists completed_at timestamptz default now();

-- Registration and heartbeat (docs/mentu-schema.md#bridge-machines). The id is a free-form machine id.
create table if not exists public.bridge_machines (
  id text primary key,
  workspace_id uuid not null,
  user_id uuid,
  name text not null,
  hostname text,
  agents_available text[],
  status text not null default 'online',
  last_seen_at timestamptz,
  current_command_id uuid,
  created_at timestamptz not null default now()
);

alter table public.bridge_machines add column if not exists workspace_id uuid;
alter table public.bridge_machines add column if not exists user_id uuid;
alter table public.bridge_machines add column if not exists name text;
alter table public.bridge_machines add column if not exists hostname text;
alter table public.bridge_machines add column if not exists agents_available text[];
alter table public.bridge_machines add column if not exists status text default 'online';
alter table public.bridge_machines add column if not exists last_seen_at timestamptz;
alter table public.bridge_machines add column if not exists current_command_id uuid;
alter table public.bridge_machines add column if not exists created_at timestamptz default now();

-- Live output (docs/mentu-schema.md#spawn-logs). stream is free text: stdout, stderr, tool, system.
create table if not exists public.spawn_logs (
  id uuid primary key default gen_random_uuid(),
  command_id uuid not null references public.bridge_commands(id) on delete cascade,
  workspace_id uuid not null,
  stream text not null,
  message text not null,
  ts timestamptz not null default now()
);

alter table public.spawn_logs add column if not exists command_id uuid;
alter table public.spawn_logs add column if not exists workspace_id uuid;
alter table public.spawn_logs add column if not exists stream text;
alter table public.spawn_logs add column if not exists message text;
alter table public.spawn_logs add column if not exists ts timestamptz default now();

-- The backlog query (workspace, pending, oldest first) and the dashboard's log view.
create index if not exists bridge_commands_workspace_status_created_idx
  on public.bridge_commands (workspace_id, status, created_at);
create index if not exists spawn_logs_command_ts_idx
  on public.spawn_logs (command_id, ts);
create index if not exists bridge_results_command_idx
  on public.bridge_results (command_id);
create index if not exists bridge_machines_workspace_idx
  on public.bridge_machines (workspace_id);
