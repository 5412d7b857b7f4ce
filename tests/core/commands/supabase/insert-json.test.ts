import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyFailure, createSupabaseConnection } from '../../../../src-main/core/commands/supabase/client.js';
import { jsonRowBytes } from '../../../../src-main/core/commands/supabase/json-body.js';
import type { Gateway } from '../../../gateway/index.js';
import { useGateway } from '../../../gateway/use-gateway.js';
import { WS } from '../../../support/source-driver.js';

/** The result row's own insert (pre-serialized body) against the gateway: answered as supabase-js answers. */
describe('insertJson', () => {
  let gateway: Gateway;
  useGateway((g) => (gateway = g));
  const connect = (key = gateway.serviceRoleKey) =>
    createSupabaseConnection({ url: gateway.url, apiKey: key, accessToken: () => Promise.resolve(key), requestTimeoutMs: 2000 });

  const resultRow = (stdout: string) => ({
    command_id: randomUUID(),
    machine_id: 'beacon-test',
    status: 'success',
    exit_code: 0,
    stdout,
    stderr: '',
    stdout_truncated: false,
    stderr_truncated: false,
    error_message: null,
    started_at: new Date().toISOString(),
    completed_at: new Date().toISOString(),
  });

  it('stores a multi-megabyte row byte for byte', async () => {
    const stdout = 'line ✔ "quoted" \\ tab\t😀\n'.repeat(150_000);
    const row = resultRow(stdout);
    await gateway.sql(`insert into public.bridge_commands (id, workspace_id, prompt, working_directory, agent, status) values ($1, $2, 'p', '/tmp', 'claude', 'completed')`, [row.command_id, WS]);
    const answer = await connect().insertJson('bridge_results', jsonRowBytes(row));
    expect(answer).toEqual({ data: null, error: null, status: 201 });
    const stored = (await gateway.sql<{ stdout: string }>('select stdout from public.bridge_results where command_id = $1', [row.command_id])).rows[0]!;
    expect(stored.stdout).toBe(stdout);
  });

  it("returns PostgREST's error for a bad row, and a network failure as status 0", async () => {
    const bad = await connect().insertJson('bridge_results', jsonRowBytes({ ...resultRow('x'), no_such_column: 1 }));
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.error?.code).toBeTruthy();
    expect(classifyFailure(bad.status, bad.error!)).toBe('client');

    gateway.faults.unreachable(5000);
    const down = await connect().insertJson('bridge_results', jsonRowBytes(resultRow('y')));
    expect(down.status).toBe(0);
    expect(classifyFailure(down.status, down.error!)).toBe('network');
  });
});
