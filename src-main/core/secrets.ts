import type { MentuPaths } from './paths.js';

// SIGNATURES ONLY (owned by the Supabase issue): bodies to be implemented; keep the names.

export type SecretName = 'supabase_key' | 'mentu_proxy_token';

/** Where keys live: Keychain via safeStorage in the app; an env variable or an owner-only file headless. */
export interface SecretStore {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** Where secrets are kept, for `beacon doctor` (never the value). */
  describe(): string;
}

/**
 * Headless store: BEACON_SUPABASE_KEY (or SUPABASE_SERVICE_ROLE_KEY) / BEACON_MENTU_PROXY_TOKEN from the
 * environment first, then the owner-only file paths.secrets (mode 0600, refused if group/world-readable).
 */
export function createHeadlessSecretStore(_paths: MentuPaths, _env: NodeJS.ProcessEnv = process.env): SecretStore {
  throw new Error('createHeadlessSecretStore: not implemented yet');
}
