import { writeFileSync } from 'node:fs';
import { createBeaconClient, type LocalBeaconClient } from '../../src-main/core/api/beacon-api.js';
import { loadConfig } from '../../src-main/core/config/load.js';
import { createExecutor, type Executor } from '../../src-main/core/executor.js';
import { silentLogger } from '../../src-main/core/logger.js';
import type { SecretName, SecretStore } from '../../src-main/core/secrets.js';
import { makeWorld, MemorySource, ScriptedRunner, type UnitWorld } from './fakes.js';

/** The BeaconClient over a started executor with the in-memory source and the scripted runner, secrets in a Map. */
export interface ApiWorld {
  world: UnitWorld;
  source: MemorySource;
  runner: ScriptedRunner;
  executor: Executor;
  client: LocalBeaconClient;
  stored: Map<SecretName, string>;
  stop(): Promise<void>;
}

export async function startApiWorld(): Promise<ApiWorld> {
  const world = makeWorld();
  const stored = new Map<SecretName, string>();
  const secrets: SecretStore = {
    get: async (name) => stored.get(name) ?? null,
    set: async (name, value) => void stored.set(name, value),
    delete: async (name) => void stored.delete(name),
    describe: () => 'memory',
  };
  writeFileSync(world.paths.config, JSON.stringify(world.config().config, null, 2));
  const source = new MemorySource();
  const runner = new ScriptedRunner();
  const executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source, runner, config: await loadConfig(world.paths, world.env) });
  await executor.start();
  const client = createBeaconClient({ executor, paths: world.paths, env: world.env, secrets, snapshotCoalesceMs: 30 });
  return {
    world, source, runner, executor, client, stored,
    stop: async () => {
      client.dispose();
      await executor.stop({ cancelRunning: true, graceMs: 0 });
      world.cleanup();
    },
  };
}
