import type { ConfigChange, LoadedConfig } from '../config/load.js';
import { DEFAULT_CLAUDE_ARGS } from '../config/schema.js';
import type { SettingsPatch } from '../contract/types.js';

/** SettingsPatch → edits of beacon.yaml (the key goes to the secret store, never here). */
export function configChanges(patch: SettingsPatch, loaded: LoadedConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  if (patch.commandSource !== undefined) changes.push({ path: ['command_source'], value: patch.commandSource });
  if (patch.supabaseUrl !== undefined) changes.push({ path: ['supabase', 'url'], value: patch.supabaseUrl });
  if (patch.workspaceIds !== undefined) changes.push({ path: ['supabase', 'workspace_ids'], value: patch.workspaceIds });
  if (patch.allowedDirectories !== undefined) changes.push({ path: ['execution', 'allowed_directories'], value: patch.allowedDirectories });
  if (patch.defaultTimeoutSeconds !== undefined) changes.push({ path: ['execution', 'default_timeout_seconds'], value: patch.defaultTimeoutSeconds });
  if (patch.maxConcurrent !== undefined) changes.push({ path: ['execution', 'max_concurrent'], value: patch.maxConcurrent });
  if (patch.agentCommand !== undefined) {
    const name = loaded.config.execution.default_agent;
    const profile = loaded.config.agents[name];
    // The whole profile is written: the file may not spell it out (schema defaults).
    const base = profile ?? { args: DEFAULT_CLAUDE_ARGS, output: 'stream-json' as const };
    changes.push({ path: ['agents', name], value: { command: patch.agentCommand, args: base.args, output: base.output } });
  }
  return changes;
}
