import { stat } from 'node:fs/promises';
import { isCollection } from 'yaml';
import { currentHostname } from '../identity.js';
import { withFileMutex } from '../lock/file-mutex.js';
import type { MentuPaths } from '../paths.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ConfigError, formatKeyPath } from './errors.js';
import { configMutexPath, ensureMachineIdentity, readTextIfExists } from './machine-id.js';
import { legacyArgsAgents, upgradeLegacyArgs, type ArgsUpgrade } from './legacy-args.js';
import type { BeaconConfig } from './schema.js';
import { parseConfigText, validateDocument } from './validate.js';

export { ConfigError } from './errors.js';

export interface LoadedConfig {
  path: string;
  config: BeaconConfig;
  /** machine.id, guaranteed present (written once on first start). */
  machineId: string;
  machineName: string;
  /** The file did not exist and was written with documented defaults. */
  created: boolean;
  /** Agent args of the earlier default rewritten during this load (or why they could not be). */
  argsUpgrade?: ArgsUpgrade;
}

function loaded(paths: MentuPaths, config: BeaconConfig, env: NodeJS.ProcessEnv, created: boolean, argsUpgrade?: ArgsUpgrade): LoadedConfig {
  const machineId = config.machine.id;
  if (!machineId) throw new Error(`internal: ${paths.config} has no machine.id after it was ensured`);
  return { path: paths.config, config, machineId, machineName: config.machine.name ?? currentHostname(env), created, ...(argsUpgrade ? { argsUpgrade } : {}) };
}

/**
 * Read and validate beacon.yaml. A missing file is written once with the defaults (and the persistent
 * machine id); an invalid file throws ConfigError and is never overwritten. Agent args of the earlier
 * default (prompt before the options) are upgraded in place.
 */
export async function loadConfig(paths: MentuPaths, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const text = await readTextIfExists(paths.config);
  let created = false;
  let config: BeaconConfig | null = null;
  if (text !== null) {
    const parsed = parseConfigText(paths.config, text).config;
    if (parsed.machine.id) config = parsed;
  }
  if (!config) {
    created = await ensureMachineIdentity(paths, env);
    config = parseConfigText(paths.config, (await readTextIfExists(paths.config)) ?? '').config;
  }
  if (!legacyArgsAgents(config).length) return loaded(paths, config, env, created);
  const upgrade = await upgradeLegacyArgs(paths);
  if (upgrade.upgraded.length) config = parseConfigText(paths.config, (await readTextIfExists(paths.config)) ?? '').config;
  return loaded(paths, config, env, created, upgrade);
}

export interface ConfigChange {
  /** Key path in the YAML document, e.g. ['execution', 'max_concurrent']. */
  path: (string | number)[];
  /** New value; undefined deletes the key. */
  value: unknown;
}

/** Apply changes to beacon.yaml keeping the user's comments and layout; validated before writing. */
export async function updateConfig(
  paths: MentuPaths,
  changes: ConfigChange[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  await loadConfig(paths, env); // creates the file on a first start; throws if it is invalid
  return withFileMutex(configMutexPath(paths), async () => {
    const text = (await readTextIfExists(paths.config)) ?? '';
    const { doc } = parseConfigText(paths.config, text);
    for (const change of changes) {
      const keyPath = formatKeyPath(change.path);
      if (keyPath === 'machine.id') {
        throw new ConfigError(
          `machine.id is written once and never changed by Beacon; edit ${paths.config} by hand if you must.`,
          paths.config,
          keyPath,
        );
      }
      if (change.value === undefined) {
        doc.deleteIn(change.path);
        continue;
      }
      const previous = doc.getIn(change.path, true);
      if (change.value !== null && typeof change.value === 'object') {
        const node = doc.createNode(change.value);
        // Keep the user's choice of [flow] or block style for a replaced list or mapping.
        if (isCollection(previous) && isCollection(node)) node.flow = previous.flow;
        doc.setIn(change.path, node);
      } else {
        // A scalar set over an existing scalar keeps that node and its comments.
        doc.setIn(change.path, change.value);
      }
    }
    const config = validateDocument(paths.config, doc, undefined, 'edit');
    const mode = (await stat(paths.config)).mode & 0o777;
    await writeFileAtomic(paths.config, doc.toString({ lineWidth: 0 }), { mode, durable: true, throughSymlink: true });
    return loaded(paths, config, env, false);
  });
}
