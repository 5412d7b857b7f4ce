import type { BeaconConfig } from './schema.js';

/**
 * Which settings of beacon.yaml a running executor takes over when the file changes, and which wait for a
 * restart. The claim loop, the pre-claim check and each run read the config afresh, so allowed folders,
 * agents, timeouts, concurrency and the poll and heartbeat periods apply to the next claim. What the
 * executor was built from at start (the command source and how it signs in, the machine's identity, the
 * ledger, the dashboard's port, the bounds the source sized its buffers with) keeps its running value
 * until a restart, and is reported as waiting for one.
 */
const RESTART_KEYS: readonly string[] = [
  'machine.id',
  'machine.name',
  'command_source',
  'supabase.url',
  'supabase.workspace_ids',
  'supabase.primary_workspace_id',
  'supabase.auth',
  // The session is opened with these when the source is built (commands/create-source.ts).
  'supabase.anon_key',
  'supabase.anon_key_env',
  'supabase.share_mentu_credentials',
  'execution.max_output_bytes',
  'mentu.proxy_url',
  'dashboard.port',
];

/** Settings as `section.key` (agents as `agents.<name>`) → their value as JSON, for comparing two configs. */
function settings(config: BeaconConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const [section, value] of Object.entries(config)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out.set(`${section}.${key}`, JSON.stringify(inner));
    } else {
      out.set(section, JSON.stringify(value));
    }
  }
  return out;
}

/** The settings whose values differ between two configs, in a stable order. */
export function changedSettings(before: BeaconConfig, after: BeaconConfig): string[] {
  const a = settings(before);
  const b = settings(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key)).sort();
}

export interface LiveConfig {
  /** The file's settings, except those that wait for a restart, which keep the values the executor started with. */
  config: BeaconConfig;
  /** Settings whose new value waits for a restart (empty when none). */
  restartNeeded: string[];
}

export function liveConfig(started: BeaconConfig, file: BeaconConfig): LiveConfig {
  const config = structuredClone(file);
  const into = config as unknown as Record<string, Record<string, unknown>>;
  const from = started as unknown as Record<string, Record<string, unknown>>;
  const restartNeeded: string[] = [];
  for (const key of changedSettings(started, file)) {
    if (!RESTART_KEYS.includes(key)) continue;
    restartNeeded.push(key);
    const dot = key.indexOf('.');
    if (dot < 0) {
      into[key] = structuredClone(from[key]!);
    } else {
      const [section, name] = [key.slice(0, dot), key.slice(dot + 1)];
      const target = into[section]!;
      const value = from[section]?.[name];
      if (value === undefined) delete target[name];
      else target[name] = structuredClone(value);
    }
  }
  return { config, restartNeeded };
}
