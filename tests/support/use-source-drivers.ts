import { afterEach, beforeEach } from 'vitest';
import type { PreClaimCheck } from '../../src-main/core/commands/source.js';
import type { SupabaseSourceOptions } from '../../src-main/core/commands/supabase/index.js';
import type { Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import { addWorkspaceMember, newSource, startDriver, tempDir, type Driver } from './source-driver.js';

/** Vitest hooks around source-driver.ts (kept apart from it: the benchmarks import that file outside vitest). */
export interface SourceDrivers {
  /** Run after each test, last first (temporary folders, extra sources). */
  cleanups: (() => unknown)[];
  /** Stopped after each test; a test that stops one itself takes it out. */
  drivers: Driver[];
  /** A driver over a new Supabase source with its own outbox folder. */
  start(machineId: string, options?: { check?: PreClaimCheck; maxConcurrent?: number; source?: Partial<SupabaseSourceOptions> }): Promise<Driver>;
}

/**
 * A test file's gateway (`set` receives it) and the drivers and folders of each test, stopped and removed after
 * it. `member`: the dashboard user is made a member of the workspace before each test.
 */
export function useSourceDrivers(set: (gateway: Gateway) => void, options: { member?: boolean } = {}): SourceDrivers {
  let gateway: Gateway;
  const cleanups: (() => unknown)[] = [];
  const drivers: Driver[] = [];
  useGateway((g) => {
    gateway = g;
    set(g);
  });
  if (options.member) beforeEach(async () => addWorkspaceMember(gateway));
  afterEach(async () => {
    for (const driver of drivers.splice(0)) await driver.stop();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    cleanups,
    drivers,
    async start(machineId, { check, maxConcurrent, source } = {}) {
      const driver = await startDriver(newSource(gateway, machineId, tempDir('beacon-outbox-', cleanups), source), machineId, check, maxConcurrent);
      drivers.push(driver);
      return driver;
    },
  };
}
