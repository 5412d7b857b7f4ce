import { afterEach } from 'vitest';
import type { Gateway } from '../gateway/index.js';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox, type SandboxOptions } from './beacon-sandbox.js';
import { makeSandbox, startExecutor, stopExecutor, type ExecutorProcess, type Sandbox } from './local-sandbox.js';

/*
 * The per-file clean-up hooks of the sandboxes, apart from the sandboxes themselves: this module imports
 * vitest, so the benchmarks (plain node + tsx, which use the sandboxes) must not import it.
 */

/**
 * Sandboxes and `beacon run` processes a test file makes, each test's stopped and removed after it
 * (register once per file).
 */
export function useLocalSandboxes(): { sandbox(execution?: Record<string, unknown>): Sandbox; start(sandbox: Sandbox, args?: string[]): ExecutorProcess } {
  const sandboxes: Sandbox[] = [];
  const executors: ExecutorProcess[] = [];
  afterEach(async () => {
    for (const executor of executors.splice(0)) await stopExecutor(executor);
    for (const sandbox of sandboxes.splice(0)) sandbox.cleanup();
  });
  return {
    sandbox: (execution) => {
      const sandbox = makeSandbox(execution);
      sandboxes.push(sandbox);
      return sandbox;
    },
    start: (sandbox, args) => {
      const executor = startExecutor(sandbox, args);
      executors.push(executor);
      return executor;
    },
  };
}

/**
 * Sandboxes and `beacon run` processes a test file makes against the gateway (or the local queue), each
 * test's stopped and removed after it (register once per file, after useGateway).
 */
export function useBeaconSandboxes(gateway: () => Pick<Gateway, 'url' | 'serviceRoleKey'> | null): {
  sandbox(options: SandboxOptions): BeaconSandbox;
  start(box: BeaconSandbox, args?: string[]): BeaconRun;
} {
  const boxes: BeaconSandbox[] = [];
  const runs: BeaconRun[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    for (const box of boxes.splice(0)) box.cleanup();
  });
  return {
    sandbox: (options) => {
      const box = beaconSandbox(gateway(), options);
      boxes.push(box);
      return box;
    },
    start: (box, args) => {
      const run = startBeacon(box, args);
      runs.push(run);
      return run;
    },
  };
}
