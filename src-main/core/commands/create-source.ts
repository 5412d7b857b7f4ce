import type { LoadedConfig } from '../config/load.js';
import { openSession } from '../auth/open-session.js';
import { anonKeyOf, effectiveAuth, effectiveSource } from '../config/schema.js';
import { currentHostname } from '../identity.js';
import type { Logger } from '../logger.js';
import type { MentuPaths } from '../paths.js';
import type { SecretStore } from '../secrets.js';
import { createLocalSource } from './local/index.js';
import type { CommandSource } from './source.js';
import { createSupabaseSource, type SupabaseAuth } from './supabase/index.js';

/** A source cannot be built from the config as it stands (missing key, missing url). */
export class SourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface CreateSourceOptions {
  loaded: LoadedConfig;
  paths: MentuPaths;
  env?: NodeJS.ProcessEnv;
  secrets: SecretStore;
  logger: Logger;
}

/** The command source the config asks for: Mentu's Supabase when configured, else the embedded local queue. */
export async function createCommandSource(options: CreateSourceOptions): Promise<CommandSource> {
  const { loaded, paths, logger } = options;
  const env = options.env ?? process.env;
  const config = loaded.config;
  if (effectiveSource(config) !== 'supabase') {
    return createLocalSource({ file: paths.localDb, machineId: loaded.machineId, defaultAgent: config.execution.default_agent });
  }
  const url = config.supabase.url;
  if (!url) {
    throw new SourceConfigError(`command_source is supabase but supabase.url is not set in ${loaded.path}. Set supabase.url, or command_source: local.`);
  }
  const auth = await supabaseAuth(options, env);
  if (auth.kind === 'service_role') logger.redact(auth.key);
  return createSupabaseSource({
    url,
    auth,
    workspaceIds: config.supabase.workspace_ids,
    primaryWorkspaceId: config.supabase.primary_workspace_id,
    machineId: loaded.machineId,
    machineName: loaded.machineName,
    hostname: currentHostname(env),
    pollSeconds: config.supabase.poll_seconds,
    heartbeatSeconds: config.supabase.heartbeat_seconds,
    outboxDir: paths.outboxDir,
    maxOutputBytes: config.execution.max_output_bytes,
    logger,
  });
}

/** How the configured Supabase project is signed in to: the service-role key, or a started Mentu session. */
export async function supabaseAuth(options: Omit<CreateSourceOptions, 'env'>, env: NodeJS.ProcessEnv): Promise<SupabaseAuth> {
  const { loaded, paths, secrets } = options;
  const config = loaded.config;
  if (!config.supabase.url) throw new SourceConfigError(`supabase.url is not set in ${loaded.path}.`);
  if (effectiveAuth(config) === 'session') {
    const anonKey = anonKeyOf(config, env);
    if (!anonKey) {
      throw new SourceConfigError(
        `supabase.auth is session but the project's anon key is not set: put it in ${loaded.path} as supabase.anon_key (it is public, not a secret), or export ${config.supabase.anon_key_env}.`,
      );
    }
    // Started before the source: orphan recovery runs before source.start and needs the token.
    const session = await openSession({ url: config.supabase.url, anonKey, paths, secrets, shareMentuCredentials: config.supabase.share_mentu_credentials, logger: options.logger });
    return { kind: 'session', anonKey, session };
  }
  const key = await secrets.get('supabase_key');
  if (!key) {
    throw new SourceConfigError(
      `No Supabase key is stored (needed because ${loaded.path} sets a Supabase url). Set BEACON_SUPABASE_KEY ` +
        `(or SUPABASE_SERVICE_ROLE_KEY) in the environment, or store it in ${secrets.describe()}.`,
    );
  }
  return { kind: 'service_role', key };
}
