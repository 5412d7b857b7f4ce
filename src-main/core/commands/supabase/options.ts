import type { MentuSession } from '../../auth/session.js';
import type { Logger } from '../../logger.js';

/** What a Supabase command source is built from: the project, how it signs in, and its timings. */

export type SupabaseAuth =
  | { kind: 'service_role'; key: string }
  /** The user's Mentu sign-in (core/auth), renewed before expiry; started before the source is. */
  | { kind: 'session'; anonKey: string; session: MentuSession };

export interface SupabaseSourceOptions {
  url: string;
  auth: SupabaseAuth;
  workspaceIds: string[];
  /** bridge_machines.workspace_id (one workspace per row in Mentu). */
  primaryWorkspaceId: string | null;
  machineId: string;
  machineName: string;
  hostname: string;
  pollSeconds: number;
  heartbeatSeconds: number;
  /** Folder of the on-disk outbox of unacknowledged writes. */
  outboxDir: string;
  maxOutputBytes: number;
  logger: Logger;
  /** Optional timing overrides (tests use short ones); the defaults suit production. */
  tuning?: SupabaseTuning;
}

export interface SupabaseTuning {
  /** Ceiling of the jittered backoff before a lost realtime channel is recreated (default 15 s). */
  channelMaxBackoffMs?: number;
  /** Ceiling of the backoff between outbox replays (default 10 s). */
  outboxMaxBackoffMs?: number;
  /** A REST request slower than this counts as a network failure (default 15 s). */
  requestTimeoutMs?: number;
  /** Realtime heartbeat period (default 15 s, as the Bridge uses after its VPS fixes). */
  realtimeHeartbeatMs?: number;
}
