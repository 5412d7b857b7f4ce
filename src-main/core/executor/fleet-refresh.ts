import type { FleetMachineView } from '../contract/types.js';
import type { CommandSource } from '../commands/source.js';
import type { Logger } from '../logger.js';
import { readLockHolders } from '../lock/executor-lock.js';
import type { MentuPaths } from '../paths.js';
import { loadFleetFromSource } from '../fleet.js';

/**
 * The Fleet view's data, refreshed on a timer (every heartbeat period) rather than on every snapshot: a
 * snapshot is built for each change, and bridge_machines only moves once per heartbeat anyway.
 */
export interface FleetRefresh {
  current(): FleetMachineView[];
  refreshNow(): Promise<void>;
  /** A new heartbeat period (beacon.yaml edited): refreshes and staleness follow it. */
  setHeartbeatSeconds(seconds: number): void;
  stop(): void;
}

export interface FleetRefreshOptions {
  source: CommandSource;
  paths: MentuPaths;
  selfMachineId: string;
  heartbeatSeconds: number;
  now: () => Date;
  logger: Logger;
  onChange(): void;
}

export function startFleetRefresh(options: FleetRefreshOptions): FleetRefresh {
  let heartbeatSeconds = options.heartbeatSeconds;
  let fleet: FleetMachineView[] = [];
  let inFlight: Promise<void> | null = null;
  let warned = false;
  const refreshNow = (): Promise<void> => {
    inFlight ??= (async () => {
      try {
        const lockHolders = await readLockHolders(options.paths);
        fleet = await loadFleetFromSource(options.source, {
          lockHolders,
          selfMachineId: options.selfMachineId,
          heartbeatSeconds,
          now: options.now(),
        });
        warned = false;
        options.onChange();
      } catch (error) {
        // Shown again once it works; one warning per outage is enough in the log.
        if (!warned) options.logger.warn('could not refresh the fleet view', { error });
        warned = true;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
  const arm = (): NodeJS.Timeout => {
    const interval = setInterval(() => void refreshNow(), heartbeatSeconds * 1000);
    interval.unref();
    return interval;
  };
  let timer = arm();
  return {
    current: () => fleet,
    refreshNow,
    setHeartbeatSeconds: (seconds) => {
      if (seconds === heartbeatSeconds) return;
      heartbeatSeconds = seconds;
      clearInterval(timer);
      timer = arm();
    },
    stop: () => clearInterval(timer),
  };
}
