import type { MentuPaths } from '../paths.js';
import type { BeaconConfig } from './schema.js';

// SIGNATURES ONLY (owned by the foundation issue): bodies to be implemented; keep the exported names.

/** A config problem a person can fix: names the file, the key path and what was expected. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly keyPath: string | null = null,
    readonly expected: string | null = null,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  path: string;
  config: BeaconConfig;
  /** machine.id, guaranteed present (written once on first start). */
  machineId: string;
  machineName: string;
  /** The file did not exist and was written with documented defaults. */
  created: boolean;
}

/**
 * Read and validate beacon.yaml. A missing file is written once with the defaults (and the persistent
 * machine id); an invalid file throws ConfigError and is never overwritten.
 */
export async function loadConfig(_paths: MentuPaths, _env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  throw new Error('loadConfig: not implemented yet');
}

export interface ConfigChange {
  /** Key path in the YAML document, e.g. ['execution', 'max_concurrent']. */
  path: (string | number)[];
  /** New value; undefined deletes the key. */
  value: unknown;
}

/** Apply changes to beacon.yaml keeping the user's comments and layout; validated before writing. */
export async function updateConfig(_paths: MentuPaths, _changes: ConfigChange[]): Promise<LoadedConfig> {
  throw new Error('updateConfig: not implemented yet');
}
