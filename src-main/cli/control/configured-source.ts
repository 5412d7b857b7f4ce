import type { CommandSource } from '../../core/commands/source.js';
import { createCommandSource } from '../../core/commands/create-source.js';
import { loadConfig, type LoadedConfig } from '../../core/config/load.js';
import { createLogger } from '../../core/logger.js';
import { mentuPaths, type MentuPaths } from '../../core/paths.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';

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
