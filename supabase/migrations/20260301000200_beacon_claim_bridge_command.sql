-- Beacon: claim the oldest eligible pending command for a machine, atomically, in one statement.
-- FOR UPDATE SKIP LOCKED lets concurrent executors (and the old Bridge's conditional PATCH) race
-- safely: each caller gets a different row or none. Returns the claimed row, or no row.
--
-- Eligible: status pending; untargeted or targeted at p_machine_id; in one of p_workspace_ids;
-- agent (null counts as 'claude') among p_agents; command_type null/'spawn', or 'bug_execution'
-- only when targeted at this machine (otherwise it belongs to the Bridge's bug executor).
-- p_command_ids, when given, restricts the candidates to ids the executor pre-filtered locally
-- (directory exists and is allowed, agent installed).
--
-- SECURITY DEFINER bypasses RLS, so callers with a user JWT are limited to workspaces they are
-- members of; the service role (and direct database sessions without JWT claims) are not.
create or replace function public.claim_bridge_command(
  p_machine_id text,
  p_workspace_ids uuid[],
  p_agents text[],
  p_command_ids uuid[] default null
)
returns setof public.bridge_commands
language sql
volatile
security definer
set search_path = public
as $$
  update public.bridge_commands as c
     set status = 'claimed',
         claimed_by_machine_id = p_machine_id,
         claimed_at = now()
   where c.id = (
     select e.id
       from public.bridge_commands e
      where e.status = 'pending'
        and (e.target_machine_id is null or e.target_machine_id = p_machine_id)
        and e.workspace_id = any (p_workspace_ids)
        and coalesce(e.agent, 'claude') = any (p_agents)
        and (e.command_type is null
             or e.command_type = 'spawn'
             or (e.command_type = 'bug_execution' and e.target_machine_id = p_machine_id))
        and (p_command_ids is null or e.id = any (p_command_ids))
        and (coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role',
                      'service_role') = 'service_role'
             or public.beacon_is_workspace_member(e.workspace_id))
      order by e.created_at, e.id
      limit 1
      for update skip locked
   )
  returning c.*;
$$;

revoke execute on function public.claim_bridge_command(text, uuid[], text[], uuid[]) from public, anon;
grant execute on function public.claim_bridge_command(text, uuid[], text[], uuid[]) to authenticated, service_role;
