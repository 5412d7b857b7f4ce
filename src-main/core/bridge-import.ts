import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadConfig, updateConfig, type ConfigChange } from './config/load.js';
import { DEFAULT_CLAUDE_ARGS, PROMPT_PLACEHOLDER, type AgentProfile, type BeaconConfig } from './config/schema.js';
import { currentHostname, machineIdForHostname } from './identity.js';
import type { MentuPaths } from './paths.js';
import type { SecretName, SecretStore } from './secrets.js';

/**
 * `beacon init --from-bridge`: carry an existing Bridge setup over to Beacon (docs/mentu-schema.md#bridge-config).
 * ~/.mentu/bridge.yaml (camelCase supabase keys) and ~/.mentu/credentials are read; beacon.yaml gets the
 * URL, workspaces, execution limits, agents and proxy URL (merged through updateConfig, so comments
 * survive); keys go to the secret store, never into beacon.yaml. The machine id stays beacon-{hostname}:
 * reusing the Bridge's id would make both executors run the same commands (docs/mentu-schema.md#bug-shared-id).
 */

export interface BridgeImportPlan {
  configPath: string;
  configExists: boolean;
  /** The id Beacon uses (the existing beacon.yaml's, or beacon-{hostname} for a new file). */
  machineId: string;
  /** The Bridge's own machine.id: reported, never reused. */
  bridgeMachineId: string | null;
  changes: ConfigChange[];
  /** Secrets to store; values never leave this object except into the SecretStore. */
  secrets: { name: SecretName; value: string; from: string }[];
  warnings: string[];
  notes: string[];
}

type Yaml = Record<string, unknown>;

const asRecord = (value: unknown): Yaml =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Yaml) : {};
const asString = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
const asStrings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;

/** The role claim of a Supabase JWT key, or null for other key formats. Never logged. */
function jwtRole(key: string): string | null {
  const parts = key.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { role?: unknown };
    return typeof payload.role === 'string' ? payload.role : null;
  } catch {
    return null;
  }
}

/** A Bridge agent (`path` + `default_flags`, prompt appended by the daemon) as a Beacon agent profile. */
export function agentFromBridge(name: string, bridgeAgent: Yaml): AgentProfile | null {
  const command = asString(bridgeAgent.path) ?? asString(bridgeAgent.command);
  if (!command) return null;
  const flags = asStrings(bridgeAgent.default_flags ?? bridgeAgent.defaultFlags) ?? [];
  const isClaude = name === 'claude' || basename(command) === 'claude';
  if (!isClaude) {
    // The daemon runs `<path> <default_flags> <flags> <prompt>`, e.g. `bash -c <prompt>`.
    return { command, args: [...flags.filter((f) => f !== PROMPT_PLACEHOLDER), PROMPT_PLACEHOLDER], output: 'text' };
  }
  // The daemon runs `claude <default_flags> <flags> -p <prompt>`; Beacon adds stream-json for live output
  // and the run summary unless the Bridge chose an output format itself.
  const kept = flags.filter((f) => f !== '-p' && f !== '--print' && f !== PROMPT_PLACEHOLDER);
  const formatAt = kept.indexOf('--output-format');
  if (formatAt >= 0) {
    const format = kept[formatAt + 1];
    // The prompt last, after `--`: never read as one of claude's options.
    return { command, args: [...kept, '-p', '--', PROMPT_PLACEHOLDER], output: format === 'stream-json' ? 'stream-json' : 'text' };
  }
  return { command, args: [...kept, ...DEFAULT_CLAUDE_ARGS], output: 'stream-json' };
}

function readExistingConfig(paths: MentuPaths): { id: string | null; workspaceIds: string[] } | null {
  if (!existsSync(paths.config)) return null;
  const doc = asRecord(parseYaml(readFileSync(paths.config, 'utf8')));
  return {
    id: asString(asRecord(doc.machine).id),
    workspaceIds: asStrings(asRecord(doc.supabase).workspace_ids) ?? [],
  };
}

/** Read the Bridge's files and decide what to write. Writes nothing. */
export function planBridgeImport(paths: MentuPaths, env: NodeJS.ProcessEnv = process.env): BridgeImportPlan {
  if (!existsSync(paths.bridgeConfig)) {
    throw new Error(`No Bridge config at ${paths.bridgeConfig}: there is nothing to import.`);
  }
  let bridge: Yaml;
  try {
    bridge = asRecord(parseYaml(readFileSync(paths.bridgeConfig, 'utf8')));
  } catch (error) {
    throw new Error(`${paths.bridgeConfig} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const existing = readExistingConfig(paths);
  const plan: BridgeImportPlan = {
    configPath: paths.config,
    configExists: existing !== null,
    machineId: existing?.id ?? machineIdForHostname(currentHostname(env)),
    bridgeMachineId: asString(asRecord(bridge.machine).id),
    changes: [],
    secrets: [],
    warnings: [],
    notes: [],
  };
  const supabase = asRecord(bridge.supabase);
  const url = asString(supabase.url);
  if (url && z.url().safeParse(url).success) set(plan, ['supabase', 'url'], url);
  else if (url) plan.warnings.push(`supabase.url ${JSON.stringify(url)} in bridge.yaml is not a URL; not imported.`);
  else plan.warnings.push('bridge.yaml has no supabase.url; set supabase.url in beacon.yaml.');

  const workspaceId = asString(asRecord(bridge.workspace).id);
  if (workspaceId && z.uuid().safeParse(workspaceId).success) {
    const ids = existing?.workspaceIds ?? [];
    set(plan, ['supabase', 'workspace_ids'], ids.includes(workspaceId) ? ids : [...ids, workspaceId]);
  } else if (workspaceId) {
    plan.warnings.push(`workspace.id ${JSON.stringify(workspaceId)} in bridge.yaml is not a UUID; not imported.`);
  } else {
    plan.warnings.push('bridge.yaml names no workspace.id (the Bridge discovered workspaces); add supabase.workspace_ids.');
  }

  importSecrets(plan, supabase, asRecord(bridge.mentu), paths);
  importExecution(plan, asRecord(bridge.execution));

  for (const [name, raw] of Object.entries(asRecord(bridge.agents))) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      plan.warnings.push(`agent ${JSON.stringify(name)}: not a valid Beacon agent name; not imported.`);
      continue;
    }
    const profile = agentFromBridge(name, asRecord(raw));
    if (profile) set(plan, ['agents', name], profile);
    else plan.warnings.push(`agent ${name}: no path in bridge.yaml; not imported.`);
  }

  const proxyUrl = asString(asRecord(bridge.mentu).proxy_url);
  if (proxyUrl && z.url().safeParse(proxyUrl).success) set(plan, ['mentu', 'proxy_url'], proxyUrl);
  else if (proxyUrl) plan.warnings.push(`mentu.proxy_url ${JSON.stringify(proxyUrl)} is not a URL; not imported.`);

  if (plan.bridgeMachineId) {
    plan.notes.push(
      `The Bridge's machine id ${plan.bridgeMachineId} is not reused: this Beacon is ${plan.machineId}. ` +
        `Commands targeted at ${plan.bridgeMachineId} stay with the Bridge.`,
    );
  }
  return plan;
}

function importSecrets(plan: BridgeImportPlan, supabase: Yaml, mentu: Yaml, paths: MentuPaths): void {
  const serviceKey = asString(supabase.serviceRoleKey) ?? asString(supabase.service_role_key);
  const anonKey = asString(supabase.anonKey) ?? asString(supabase.anon_key);
  // The running Bridge keeps a service-role key under the misleading name anonKey (docs/mentu-schema.md#bridge-config), so it is
  // taken unless the key itself says it is an anon key, which RLS would block for every claim.
  if (serviceKey) {
    plan.secrets.push({ name: 'supabase_key', value: serviceKey, from: 'supabase.serviceRoleKey' });
  } else if (anonKey && jwtRole(anonKey) !== 'anon') {
    plan.secrets.push({ name: 'supabase_key', value: anonKey, from: 'supabase.anonKey' });
  } else if (anonKey) {
    plan.warnings.push(
      'supabase.anonKey in bridge.yaml is an anon key: Mentu\'s row-level security blocks claims with it, so it was not stored. ' +
        'Store a service-role key (BEACON_SUPABASE_KEY or the secret store), or use auth: session.',
    );
  }
  const credentials = readCredentials(paths, plan);
  if (plan.secrets.some((s) => s.name === 'supabase_key')) set(plan, ['supabase', 'auth'], 'service_role');
  else if (credentials) {
    set(plan, ['supabase', 'auth'], 'session');
    plan.notes.push('No Supabase key to import: Beacon will use the `mentu login` session (set the anon key in $SUPABASE_ANON_KEY).');
  }
  const token = asString(mentu.api_key) ?? asString(mentu.apiKey);
  if (token) plan.secrets.push({ name: 'mentu_proxy_token', value: token, from: 'mentu.api_key' });
}

function set(plan: BridgeImportPlan, path: (string | number)[], value: unknown): void {
  plan.changes.push({ path, value });
}

/** ~/.mentu/credentials (docs/mentu-schema.md#bridge-config): only who is logged in is read; its tokens are never copied. */
function readCredentials(paths: MentuPaths, plan: BridgeImportPlan): boolean {
  if (!existsSync(paths.credentials)) return false;
  try {
    const cloud = asRecord(asRecord(JSON.parse(readFileSync(paths.credentials, 'utf8'))).cloud);
    const email = asString(cloud.email);
    if (!asString(cloud.accessToken)) return false;
    plan.notes.push(`Found a \`mentu login\` session${email ? ` for ${email}` : ''} in ${paths.credentials}.`);
    return true;
  } catch {
    plan.warnings.push(`${paths.credentials} is not valid JSON; ignored.`);
    return false;
  }
}

function importExecution(plan: BridgeImportPlan, execution: Yaml): void {
  const dirs = asStrings(execution.allowed_directories);
  if (dirs && dirs.length > 0) set(plan, ['execution', 'allowed_directories'], dirs);
  const limits: [keyof BeaconConfig['execution'], number, number][] = [
    ['default_timeout_seconds', 1, 7 * 24 * 3600],
    ['max_output_bytes', 1024, 1024 * 1024 * 1024],
  ];
  for (const [key, min, max] of limits) {
    const value = execution[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
      set(plan, ['execution', key], value);
    } else plan.warnings.push(`execution.${key} ${JSON.stringify(value)} is outside ${min}..${max}; not imported.`);
  }
}

export interface BridgeImportResult {
  plan: BridgeImportPlan;
  /** beacon.yaml did not exist and was created (with defaults, then the imported values). */
  created: boolean;
  machineId: string;
  secretsStored: SecretName[];
}

/** Write the plan: beacon.yaml through the config module (comments kept), keys into the secret store. */
export async function applyBridgeImport(
  plan: BridgeImportPlan,
  paths: MentuPaths,
  secrets: SecretStore,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BridgeImportResult> {
  // loadConfig writes the documented default file with beacon-{hostname} when there is none.
  const before = await loadConfig(paths, env);
  const after = await updateConfig(paths, plan.changes);
  for (const secret of plan.secrets) await secrets.set(secret.name, secret.value);
  return {
    plan,
    created: before.created,
    machineId: after.machineId,
    secretsStored: plan.secrets.map((s) => s.name),
  };
}
