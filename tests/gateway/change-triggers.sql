-- Gateway only (not a migration): feeds the fake Realtime server. Every row change on a table in
-- the supabase_realtime publication NOTIFYs channel gateway_changes after commit. NOTIFY payloads
-- are capped at 8000 bytes, so the row images travel only when small; otherwise the gateway reads
-- the row back by primary key.

create schema if not exists gateway;

create or replace function gateway.notify_change() returns trigger
language plpgsql
as $$
declare
  rec jsonb := case when tg_op = 'DELETE' then null else to_jsonb(new) end;
  old_rec jsonb := case when tg_op = 'INSERT' then null else to_jsonb(old) end;
  payload jsonb;
begin
  payload := jsonb_build_object(
    'table', tg_table_name,
    'type', tg_op,
    'commit_timestamp', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'record', rec,
    'old_record', old_rec
  );
  if octet_length(payload::text) > 7500 then
    -- Keep only the primary key (assumed "id", as on every bridge table).
    payload := payload
      || jsonb_build_object('record', case when rec is null then null else jsonb_build_object('id', rec -> 'id') end,
                            'old_record', case when old_rec is null then null else jsonb_build_object('id', old_rec -> 'id') end,
                            'truncated', true);
  end if;
  perform pg_notify('gateway_changes', payload::text);
  return null;
end
$$;

do $$
declare
  t record;
begin
  for t in select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime' loop
    execute format('drop trigger if exists gateway_notify_change on %I.%I', t.schemaname, t.tablename);
    execute format('create trigger gateway_notify_change after insert or update or delete on %I.%I '
                   'for each row execute function gateway.notify_change()', t.schemaname, t.tablename);
  end loop;
end
$$;
