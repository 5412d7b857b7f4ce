import type { ConfigChange, LoadedConfig } from '../config/load.js';
import { DEFAULT_CLAUDE_ARGS } from '../config/schema.js';
import type { SettingsPatch } from '../contract/types.js';

/** SettingsPatch → edits of beacon.yaml (the key goes to the secret store, never here). */
export function configChanges(patch: SettingsPatch, loaded: LoadedConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  if (patch.commandSource !== undefined) changes.push({ path: ['command_source'], value: patch.commandSource });
  if (patch.supabaseUrl !== undefined) changes.push({ path: ['supabase', 'url'], value: patch.supabaseUrl });
  if (patch.workspaceIds !== undefined) changes.push({ path: ['supabase', 'workspace_ids'], value: patch.workspaceIds });
  if (patch.auth !== undefined) changes.push({ path: ['supabase', 'auth'], value: patch.auth });
  if (patch.anonKey !== undefined) changes.push({ path: ['supabase', 'anon_key'], value: patch.anonKey });
  if (patch.allowedDirectories !== undefined) changes.push({ path: ['execution', 'allowed_directories'], value: patch.allowedDirectories });
  if (patch.defaultTimeoutSeconds !== undefined) changes.push({ path: ['execution', 'default_timeout_seconds'], value: patch.defaultTimeoutSeconds });
  if (patch.maxConcurrent !== undefined) changes.push({ path: ['execution', 'max_concurrent'], value: patch.maxConcurrent });
  if (patch.agentCommand !== undefined) {
    const name = loaded.config.execution.default_agent;
    // Only the command changes: the profile's other keys (args, flags, permissions, env) stay as the owner wrote them.
    if (loaded.config.agents[name]) changes.push({ path: ['agents', name, 'command'], value: patch.agentCommand });
    else changes.push({ path: ['agents', name], value: { command: patch.agentCommand, args: DEFAULT_CLAUDE_ARGS, output: 'stream-json' } });
  }
  return changes;
}
