/** What Beacon writes into ~/.mentu/executor.lock. */
export interface BeaconLockRecord {
  type: 'beacon';
  mode: 'app' | 'headless';
  id: string;
  machine_id: string;
  pid: number;
  hostname: string;
  version: string;
  started_at: string;
}

/** What the older Bridge daemon wrote there. */
export interface BridgeLockRecord {
  type: 'bridge';
  pid: number;
  workspace_id?: string;
  started_at?: string;
}

/** What ~/.mentu/executor.lock holds, as far as we can tell. */
export type LockFileContent =
  | { kind: 'beacon'; record: BeaconLockRecord }
  | { kind: 'bridge'; record: BridgeLockRecord }
  /** An earlier Beacon's or an unknown writer's record with a pid we can still check (honoured while alive). */
  | { kind: 'other'; type: 'beacon' | 'unknown'; pid: number; startedAt: string | null }
  | { kind: 'unparsable' };

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

export function parseLockFile(content: string): LockFileContent {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    return { kind: 'unparsable' };
  }
  if (!data || typeof data !== 'object') return { kind: 'unparsable' };
  const raw = data as Record<string, unknown>;
  const pid = raw.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return { kind: 'unparsable' };
  if (raw.type === 'bridge') {
    return {
      kind: 'bridge',
      record: { type: 'bridge', pid, workspace_id: text(raw.workspace_id) ?? undefined, started_at: text(raw.started_at) ?? undefined },
    };
  }
  if (raw.type === 'beacon' && (raw.mode === 'app' || raw.mode === 'headless') && text(raw.id)) {
    return {
      kind: 'beacon',
      record: {
        type: 'beacon',
        mode: raw.mode,
        id: raw.id as string,
        machine_id: text(raw.machine_id) ?? '',
        pid,
        hostname: text(raw.hostname) ?? '',
        version: text(raw.version) ?? '',
        started_at: text(raw.started_at) ?? '',
      },
    };
  }
  return { kind: 'other', type: raw.type === 'beacon' ? 'beacon' : 'unknown', pid, startedAt: text(raw.started_at) };
}

export function serializeRecord(record: BeaconLockRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The record on disk is exactly the one this holder wrote (same pid and instance id). */
export function isSameHolder(content: LockFileContent, record: BeaconLockRecord): boolean {
  return content.kind === 'beacon' && content.record.pid === record.pid && content.record.id === record.id;
}
