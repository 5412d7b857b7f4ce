import type { CommandSource } from '../core/commands/source.js';
import { createBeaconClient, type LaunchAtLogin, type LocalBeaconClient } from '../core/api/beacon-api.js';
import { createExecutor, type Executor } from '../core/executor.js';
import type { Logger } from '../core/logger.js';
import type { MentuPaths } from '../core/paths.js';
import type { SecretStore } from '../core/secrets.js';
import type { PermissionServerCommand } from '../core/run/permission-args.js';
import { setTimeout as delay } from 'node:timers/promises';
import { createLifecycle, MACHINE_SHUTTING_DOWN, type Lifecycle, type LifecycleOptions, type LifecyclePorts, type RunningCommandSummary } from './lifecycle.js';

/**
 * The core as the app uses it: an executor in mode 'app' (standby while another executor holds the lock),
 * the BeaconClient every window talks to, and the lifecycle driving both. Plain Node (no Electron), so
 * it is tested against the real executor and local queue.
 */
export interface AppCoreOptions {
  paths: MentuPaths;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  secrets: SecretStore;
  /** Default: the source beacon.yaml asks for (tests hand in a recording one). */
  source?: CommandSource;
  launchAtLogin?: LaunchAtLogin;
  /** Opens a URL in the system browser (shell.openExternal): the Mentu sign-in from Settings. */
  openExternal?: (url: string) => Promise<void>;
  /** Ask the user whether to cancel running commands and quit (a dialog in the app). */
  confirmCancel(running: RunningCommandSummary[]): Promise<boolean>;
  /** Leave the process (app.exit in the app). */
  exit(): void;
  lockRetryMs?: number;
  /** How the agent's CLI starts Beacon's permission server (the app's own program, see permission-server-argv.ts). */
  permissionServer?: PermissionServerCommand | null;
  /** How long to wait for cancelled commands' processes to end (default 20 s: the kill ladder takes ~4 s). */
  cancelWaitMs?: number;
  /** Time bounds of the quit and shutdown sequences (defaults in lifecycle.ts). */
  bounds?: LifecycleOptions;
}

export interface AppCore {
  executor: Executor;
  client: LocalBeaconClient;
  lifecycle: Lifecycle;
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const { paths, logger } = options;
  const executor = createExecutor({
    paths,
    env: options.env,
    mode: 'app',
    logger,
    secrets: options.secrets,
    source: options.source,
    lockRetryMs: options.lockRetryMs,
    permissionServer: options.permissionServer ?? null,
  });
  const client = createBeaconClient({ executor, paths, env: options.env, secrets: options.secrets, launchAtLogin: options.launchAtLogin, openExternal: options.openExternal });
  /** Set when the quit sequence held claims (in memory only), so the user's own pause setting is untouched. */
  let heldForQuit = false;

  const runningIds = (): string[] => executor.snapshot().running.map((command) => command.id);

  /** Resolves when none of `ids` is running any more (or after `timeoutMs`). */
  const whenFinished = (ids: string[], timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (runningIds().some((id) => ids.includes(id))) return;
        done();
      };
      const timer = setTimeout(() => {
        logger.warn('cancelled commands did not end in time; quitting anyway', { ids: ids.filter((id) => runningIds().includes(id)) });
        done();
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        executor.events.off('change', check);
        resolve();
      };
      executor.events.on('change', check);
      check();
    });

  const ports: LifecyclePorts = {
    activate: (signal, onStandby) =>
      new Promise<void>((resolve, reject) => {
        const watchStandby = (): void => {
          const state = executor.snapshot();
          if (state.role === 'standby' && state.standbyHolder) onStandby(state.standbyHolder);
        };
        executor.events.on('change', watchStandby);
        signal.addEventListener('abort', () => {
          void executor.stop({ cancelRunning: false, graceMs: 0 }).catch(() => undefined);
          reject(Object.assign(new Error('Startup was interrupted by quitting'), { name: 'AbortError' }));
        });
        executor
          .start()
          .then(() => {
            if (executor.snapshot().role !== 'active' && !signal.aborted) throw new Error(executor.snapshot().problem ?? 'The executor did not start');
          })
          .then(resolve, reject)
          .finally(() => executor.events.off('change', watchStandby));
      }),
    stopClaiming: async () => {
      if (executor.snapshot().paused) return;
      // In memory only: a crash while quitting must not leave the next launch paused.
      executor.pause({ persist: false });
      heldForQuit = true;
    },
    resumeClaiming: async () => {
      if (!heldForQuit) return;
      heldForQuit = false;
      executor.resume({ persist: false });
    },
    runningCommands: async () =>
      Promise.all(
        runningIds().map(async (id) => {
          // The prompt is for the question only: a slow source must not hold up the quit.
          const command = await Promise.race([executor.source()?.get(id).catch(() => null), delay(2000, null, { ref: false })]);
          return { id, prompt: command?.prompt ?? '' };
        }),
      ),
    confirmCancel: (running) => options.confirmCancel(running),
    cancelRunning: async (ids) => {
      for (const id of ids) {
        const result = await executor.cancel(id);
        logger.info(`quit: ${result.message}`);
      }
      await whenFinished(ids, options.cancelWaitMs ?? 20_000);
    },
    stopCore: async (mode) => {
      client.dispose();
      // Nothing should run now (the user agreed to cancel, or nothing ran) unless the system is going down; a
      // claim that raced the hold is cancelled with "executor shutdown" rather than left to orphan recovery.
      await executor.stop({ cancelRunning: true, graceMs: 0, cancelReason: mode === 'shutdown' ? MACHINE_SHUTTING_DOWN : undefined });
    },
    exit: () => options.exit(),
  };

  return { executor, client, lifecycle: createLifecycle(ports, logger, options.bounds) };
}
