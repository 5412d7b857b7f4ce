import type { LoadedConfig } from '../config/load.js';
import type { ConfigError } from '../config/errors.js';
import { changedSettings, liveConfig } from '../config/live-settings.js';
import type { BeaconConfig } from '../config/schema.js';
import { watchConfigFile } from '../config/watch.js';
import type { Logger } from '../logger.js';

/**
 * The executor's side of a changed beacon.yaml (from the file watcher or the Settings panel): which config
 * the next claim uses, what is logged, and what the UIs and `beacon status` show as waiting for a restart
 * or as an edit that could not be applied.
 */
export interface ConfigUpdate {
  loaded: LoadedConfig;
  /** Settings whose new values are in use from now on. */
  applied: string[];
  /** Settings whose new values wait for a restart (the running values stay). */
  restartNeeded: string[];
}

export interface ConfigUpdates {
  /** The config the executor's session is built from; settings that need a restart keep its values. */
  started(loaded: LoadedConfig): void;
  apply(current: LoadedConfig | null, next: LoadedConfig): ConfigUpdate;
  /** An edit that cannot be used (invalid YAML or values): reported until a valid one arrives. */
  rejected(error: ConfigError): void;
  restartNeeded(): string[];
  /** The last invalid edit's message (with its line and column), or null. */
  error(): string | null;
  /** Follow the file: each valid edit goes to `apply`; an invalid one is recorded (then `changed`). */
  follow(file: string, apply: (config: BeaconConfig) => unknown, changed: () => void): void;
  stop(): void;
}

export function createConfigUpdates(logger: Logger): ConfigUpdates {
  let startedWith: LoadedConfig | null = null;
  let waiting: string[] = [];
  let lastError: string | null = null;
  let watch: { stop(): void } | null = null;

  const rejected = (error: ConfigError): void => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn(`config: ${error.message} Beacon keeps running with the configuration it has.`);
  };

  return {
    started: (loaded) => {
      startedWith = loaded;
      waiting = [];
    },
    apply: (current, next) => {
      const base = startedWith ?? current ?? next;
      const live = liveConfig(base.config, next.config);
      // Identity stays what the executor started as (machine.* waits for a restart).
      const loaded: LoadedConfig = { ...next, config: live.config, machineId: base.machineId, machineName: base.machineName };
      const applied = current ? changedSettings(current.config, live.config) : [];
      const newlyWaiting = live.restartNeeded.filter((key) => !waiting.includes(key));
      waiting = live.restartNeeded;
      if (lastError) logger.info(`config: ${next.path} is valid again`);
      lastError = null;
      if (applied.length) logger.info(`config: now using ${applied.join(', ')} from ${next.path} (from the next claim on)`);
      if (newlyWaiting.length) {
        logger.warn(`config: ${newlyWaiting.join(', ')} changed in ${next.path}; restart Beacon to use the new value (it keeps running with the old one)`);
      }
      return { loaded, applied, restartNeeded: waiting };
    },
    rejected,
    restartNeeded: () => waiting,
    error: () => lastError,
    follow: (file, apply, changed) => {
      const watcher = watchConfigFile({
        file,
        onValid: (config) => apply(config),
        onInvalid: (error) => {
          rejected(error);
          changed();
        },
      });
      watch = watcher;
      // The file may have changed between loading it and watching it.
      void watcher.checkNow();
    },
    stop: () => {
      watch?.stop();
      watch = null;
    },
  };
}
