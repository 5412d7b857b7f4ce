import { readOwnerOnlyJson } from './fs/owner-only-json.js';
import type { MentuPaths } from './paths.js';
import { jsonText, writeFileAtomicSync } from './fs/atomic-write.js';

/** mentu_session: the Mentu sign-in Beacon made itself (JSON of StoredSession), see core/auth/session-store.ts. */
export type SecretName = 'supabase_key' | 'mentu_proxy_token' | 'mentu_session';

/** Where keys live: Keychain via safeStorage in the app; an env variable or an owner-only file headless. */
export interface SecretStore {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** Where secrets are kept, for `beacon doctor` (never the value). */
  describe(): string;
}

/** Environment variables checked before the file, in order. */
export const SECRET_ENV: Readonly<Record<SecretName, readonly string[]>> = {
  supabase_key: ['BEACON_SUPABASE_KEY', 'SUPABASE_SERVICE_ROLE_KEY'],
  mentu_proxy_token: ['BEACON_MENTU_PROXY_TOKEN'],
  mentu_session: [],
};

/** Every secret name: SECRET_ENV's type already requires each one, so the list is read from it. */
export const SECRET_NAMES: readonly SecretName[] = Object.keys(SECRET_ENV) as SecretName[];

/**
 * Headless store: BEACON_SUPABASE_KEY (or SUPABASE_SERVICE_ROLE_KEY) / BEACON_MENTU_PROXY_TOKEN from the
 * environment first, then the owner-only file paths.secrets (mode 0600, refused if group/world-readable).
 * Values are read where needed and never copied into process.env.
 */
export function createHeadlessSecretStore(paths: MentuPaths, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const file = paths.secrets;

  const readFile = (): Partial<Record<SecretName, string>> => {
    // Refused when readable by others; malformed JSON is named by file and position (owner-only-json.ts).
    const parsed = readOwnerOnlyJson(file, { holds: 'the keys', redo: 'store the keys again' }) ?? {};
    const out: Partial<Record<SecretName, string>> = {};
    for (const name of SECRET_NAMES) {
      const value = parsed[name];
      if (typeof value === 'string' && value !== '') out[name] = value;
    }
    return out;
  };

  const writeFile = (secrets: Partial<Record<SecretName, string>>): void => {
    writeFileAtomicSync(file, jsonText(secrets), { mode: 0o600, parentMode: 0o700, durable: true });
  };

  const fromEnv = (name: SecretName): { variable: string; value: string } | null => {
    for (const variable of SECRET_ENV[name]) {
      const value = env[variable]?.trim();
      if (value) return { variable, value };
    }
    return null;
  };

  return {
    get(name) {
      const inEnv = fromEnv(name);
      if (inEnv) return Promise.resolve(inEnv.value);
      try {
        return Promise.resolve(readFile()[name] ?? null);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    set(name, value) {
      if (!value) return Promise.reject(new Error(`An empty ${name} cannot be stored.`));
      try {
        writeFile({ ...readFile(), [name]: value });
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    delete(name) {
      try {
        const secrets = readFile();
        if (!(name in secrets)) return Promise.resolve();
        delete secrets[name];
        writeFile(secrets);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    describe() {
      const inEnv = SECRET_NAMES.map(fromEnv).filter((x) => x !== null);
      const vars = inEnv.map((x) => x.variable).join(', ');
      return vars ? `environment (${vars}), then the owner-only file ${file}` : `the owner-only file ${file} (mode 0600)`;
    },
  };
}
