import type { SupabaseClient } from '@supabase/supabase-js';
import type { BridgeMachineRow, HeartbeatState } from '../source.js';
import { describeFailure } from './client.js';

/**
 * This machine's bridge_machines row (docs/mentu-schema.md#heartbeat). Every heartbeat is a full upsert, so a failed
 * registration is simply retried by the next beat and never stops the heartbeat (docs/mentu-schema.md#bug-heartbeat).
 */

export interface MachineInfo {
  machineId: string;
  workspaceId: string | null;
  userId: string | null;
  name: string;
  hostname: string;
  agents: string[];
}

export type MachineStatus = 'online' | 'busy' | 'offline';

export function machineRow(info: MachineInfo, status: MachineStatus, currentCommandId: string | null, now: Date): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: info.machineId,
    workspace_id: info.workspaceId,
    name: info.name,
    hostname: info.hostname,
    agents_available: info.agents,
    status,
    last_seen_at: now.toISOString(),
    current_command_id: currentCommandId,
  };
  // Mentu's user_id is a uuid; the Bridge only sends a well-formed one (docs/mentu-schema.md#bridge-machines).
  if (info.userId && /^[0-9a-f-]{36}$/i.test(info.userId)) row.user_id = info.userId;
  return row;
}

export function statusFor(state: HeartbeatState): { status: MachineStatus; currentCommandId: string | null } {
  return { status: state.busy ? 'busy' : 'online', currentCommandId: state.runningCommandIds[0] ?? null };
}

export type UpsertOutcome = { ok: true } | { ok: false; status: number; message: string };

export async function upsertMachine(
  client: SupabaseClient,
  info: MachineInfo,
  status: MachineStatus,
  currentCommandId: string | null,
  now: Date,
): Promise<UpsertOutcome> {
  if (!info.workspaceId) {
    return { ok: false, status: 0, message: 'machine registration skipped: no primary workspace configured (supabase.primary_workspace_id)' };
  }
  try {
    const response = await client.from('bridge_machines').upsert(machineRow(info, status, currentCommandId, now), { onConflict: 'id' });
    if (response.error) return { ok: false, status: response.status, message: `machine registration failed: ${describeFailure(response.status, response.error)}` };
    return { ok: true };
  } catch (error) {
    return { ok: false, status: 0, message: `machine registration failed: ${(error as Error).message}` };
  }
}

/** Every bridge_machines row of the workspaces. Throws a readable error when Supabase refuses. */
export async function fetchBridgeMachines(client: SupabaseClient, workspaceIds: string[]): Promise<BridgeMachineRow[]> {
  if (workspaceIds.length === 0) return [];
  const { data, error } = await client.from('bridge_machines').select('*').in('workspace_id', workspaceIds);
  if (error) {
    throw new Error(`Cannot read the fleet from bridge_machines: ${error.message}${error.code ? ` (${error.code})` : ''}`);
  }
  return (data ?? []) as BridgeMachineRow[];
}
