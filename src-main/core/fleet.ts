import type { FleetMachineView, LockHolderView } from './contract/types.js';
import type { BridgeMachineRow, CommandSource } from './commands/source.js';

/**
 * The fleet: every executor of the configured workspaces (bridge_machines) plus the local lock holder(s),
 * with the age of each one's last heartbeat. A machine silent for more than STALE_HEARTBEATS heartbeat
 * periods is stale whatever its status column says, because a crashed or sleeping executor leaves
 * `online` behind (docs/mentu-schema.md#heartbeat, #bug-heartbeat).
 */

export const STALE_HEARTBEATS = 3;

export interface FleetInput {
  rows: BridgeMachineRow[];
  lockHolders: LockHolderView[];
  /** This machine's id (beacon-{hostname}). */
  selfMachineId: string;
  /** The heartbeat period in seconds (supabase.heartbeat_seconds; the Bridge also beats every 60 s). */
  heartbeatSeconds: number;
  now: Date;
}

export function heartbeatAgeSeconds(lastSeenAt: string | null, now: Date): number | null {
  if (!lastSeenAt) return null;
  const seen = Date.parse(lastSeenAt);
  if (!Number.isFinite(seen)) return null;
  return Math.max(0, Math.floor((now.getTime() - seen) / 1000));
}

export function isStale(ageSeconds: number | null, heartbeatSeconds: number): boolean {
  return ageSeconds === null || ageSeconds > STALE_HEARTBEATS * heartbeatSeconds;
}

export function buildFleet(input: FleetInput): FleetMachineView[] {
  const byId = new Map<string, FleetMachineView>();
  for (const row of input.rows) {
    if (byId.has(row.id)) continue; // the id is the table's key; a repeat is the same machine
    const age = heartbeatAgeSeconds(row.last_seen_at, input.now);
    byId.set(row.id, {
      id: row.id,
      name: row.name || row.id,
      hostname: row.hostname,
      workspaceId: row.workspace_id,
      status: row.status ?? 'unknown',
      lastSeenAt: row.last_seen_at,
      heartbeatAgeSeconds: age,
      stale: isStale(age, input.heartbeatSeconds),
      self: row.id === input.selfMachineId,
    });
  }

  // A local executor that is not (or not yet) registered still belongs in the picture: the lock says it runs.
  for (const holder of input.lockHolders) {
    const id = holder.machineId ?? `${holder.type}-pid-${holder.pid}`;
    const known = byId.get(id);
    if (known) {
      known.self = known.self || holder.self;
      continue;
    }
    byId.set(id, {
      id,
      name: holder.type === 'bridge' ? `Bridge (pid ${holder.pid})` : id,
      hostname: holder.hostname,
      workspaceId: '',
      status: holder.alive ? 'online' : 'offline',
      lastSeenAt: null,
      heartbeatAgeSeconds: null,
      // Nothing heartbeats for it in the database; the lock's pid is the only sign of life.
      stale: !holder.alive,
      self: holder.self || id === input.selfMachineId,
    });
  }

  return [...byId.values()].sort(
    (a, b) => Number(b.self) - Number(a.self) || Number(a.stale) - Number(b.stale) || a.name.localeCompare(b.name),
  );
}


/**
 * The fleet as a command source sees it: its machine registry (bridge_machines for Supabase, nothing for the
 * local queue) plus the lock holder(s). The executor's Fleet view and `beacon status --executors` both use it.
 */
export async function loadFleetFromSource(
  source: Pick<CommandSource, 'listMachines'>,
  rest: Omit<FleetInput, 'rows'>,
): Promise<FleetMachineView[]> {
  return buildFleet({ ...rest, rows: (await source.listMachines?.()) ?? [] });
}
