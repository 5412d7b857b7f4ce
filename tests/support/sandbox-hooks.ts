import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Gateway } from '../gateway/index.js';
import { beaconSandbox, startBeacon, startLocalQueueBeacon, type BeaconRun, type BeaconSandbox, type LocalQueueBeacon, type SandboxOptions } from './beacon-sandbox.js';
import { makeSandbox, startExecutor, stopExecutor, type ExecutorProcess, type Sandbox } from './local-sandbox.js';

/*
 * The per-file clean-up hooks of the sandboxes, apart from the sandboxes themselves: this module imports
 * vitest, so the benchmarks (plain node + tsx, which use the sandboxes) must not import it.
 */

/** What a test makes, undone after it: every process stopped first, then every folder removed. */
function undoneAfterEach(): { box<T extends { cleanup(): void }>(box: T): T; run<T>(run: T, stop: (run: T) => Promise<void>): T } {
  const stops: (() => Promise<void>)[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  return {
    box: (box) => (cleanups.push(() => box.cleanup()), box),
    run: (run, stop) => (stops.push(() => stop(run)), run),
  };
}

/**
 * Sandboxes and `beacon run` processes a test file makes, each test's stopped and removed after it
 * (register once per file).
 */
export function useLocalSandboxes(): { sandbox(execution?: Record<string, unknown>): Sandbox; start(sandbox: Sandbox, args?: string[]): ExecutorProcess } {
  const undo = undoneAfterEach();
  return {
    sandbox: (execution) => undo.box(makeSandbox(execution)),
    start: (sandbox, args) => undo.run(startExecutor(sandbox, args), stopExecutor),
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
  const undo = undoneAfterEach();
  return {
    sandbox: (options) => undo.box(beaconSandbox(gateway(), options)),
    start: (box, args) => undo.run(startBeacon(box, args), (run) => run.stop()),
  };
}

/**
 * One `beacon run` on the local queue for the whole test file (startLocalQueueBeacon): started before the first
 * test, stopped after the last. `set` receives it, so a file keeps using its own variable.
 */
export function useLocalQueueBeacon(
  machineId: string,
  set: (q: LocalQueueBeacon) => void,
  options?: Pick<SandboxOptions, 'execution' | 'allowedFlags'>,
): void {
  let q: LocalQueueBeacon | undefined;
  beforeAll(async () => {
    q = await startLocalQueueBeacon(machineId, options);
    set(q);
  }, 60_000);
  afterAll(async () => {
    await q?.stop();
  });
}
