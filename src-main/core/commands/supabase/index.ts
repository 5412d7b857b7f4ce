import type { CommandSource } from '../source.js';
import type { SupabaseSourceOptions } from './options.js';
import { SupabaseSource } from './source.js';

export type { SupabaseAuth, SupabaseSourceOptions, SupabaseTuning } from './options.js';

/**
 * The Mentu Supabase command source: realtime wake-ups with a poll backstop, atomic claims (RPC or the
 * conditional PATCH), the writes the Mentu dashboard reads, an on-disk outbox for writes the database
 * did not acknowledge, and the bridge_machines heartbeat. Behaviour notes: docs/supabase-source.md.
 */

export function createSupabaseSource(options: SupabaseSourceOptions): CommandSource {
  return new SupabaseSource(options);
}
