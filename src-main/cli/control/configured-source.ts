import { resolveCommandId } from '../../core/commands/resolve-id.js';
import type { Command } from '../../core/contract/command.js';
import type { CommandSource } from '../../core/commands/source.js';
import { createCommandSource } from '../../core/commands/create-source.js';
import { loadConfig, type LoadedConfig } from '../../core/config/load.js';
import { createLogger } from '../../core/logger.js';
import { mentuPaths, type MentuPaths } from '../../core/paths.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';
import { CliError } from '../errors.js';

/** The command source beacon.yaml names, for CLI commands that work with or without a running executor. */
export interface ConfiguredSource {
  paths: MentuPaths;
  loaded: LoadedConfig;
  source: CommandSource;
  close(): Promise<void>;
}

export async function openConfiguredSource(env: NodeJS.ProcessEnv = process.env): Promise<ConfiguredSource> {
  const paths = mentuPaths(env);
  const loaded = await loadConfig(paths, env);
  const source = await createCommandSource({
    loaded,
    paths,
    env,
    secrets: createHeadlessSecretStore(paths, env),
    logger: createLogger({ level: 'warn' }),
  });
  return { paths, loaded, source, close: () => source.stop() };
}

export async function withConfiguredSource<T>(fn: (opened: ConfiguredSource) => Promise<T>): Promise<T> {
  const opened = await openConfiguredSource();
  try {
    return await fn(opened);
  } finally {
    await opened.close().catch(() => {});
  }
}

/** The command a person named (its id, or 6+ of its first characters); a clear refusal otherwise. */
export async function commandFrom(source: CommandSource, typed: string): Promise<Command> {
  const resolved = await resolveCommandId(source, typed);
  if (!resolved.ok) throw new CliError(resolved.reason);
  return resolved.command;
}
