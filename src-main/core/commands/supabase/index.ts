import type { Logger } from '../../logger.js';
import type { CommandSource } from '../source.js';

// SIGNATURES ONLY (owned by the Supabase issue): bodies to be implemented; keep the names.

export type SupabaseAuth =
  | { kind: 'service_role'; key: string }
  /** The user's `mentu login` session from ~/.mentu/credentials, refreshed before expiry. */
  | { kind: 'session'; anonKey: string; credentialsPath: string };

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
}

export function createSupabaseSource(_options: SupabaseSourceOptions): CommandSource {
  throw new Error('createSupabaseSource: not implemented yet');
}
