import type { CommandSource } from '../commands/source.js';
import type { Logger } from '../logger.js';
import { cancelEntry, CANCELLED_BY_USER, type RunningEntry } from './run-command.js';

/**
 * Where every cancellation of a running command is watched: the source's event for a row turned
 * `cancelled`, a backstop poll of `isCancelled` (events are hints, not guarantees), a person's cancel
 * through the API, and shutdown. All of them end in the runner's kill ladder through cancelEntry.
 */
export interface CancellationWatch {
  /** The source reports this command cancelled (realtime event or local change). */
  cancelledAtSource(commandId: string): void;
  /** Stop one running command; false when it is not running here. */
  cancel(commandId: string, reason: string): boolean;
  /** Stop every running command (shutdown after the grace period). */
  cancelAll(reason: string): void;
  /** A command started: poll while anything runs (an idle executor does not wake for it). */
  watchRunning(): void;
  stop(): void;
}

export interface CancellationWatchOptions {
  source: CommandSource;
  running: ReadonlyMap<string, RunningEntry>;
  logger: Logger;
  pollMs: number;
}

export function watchCancellations({ source, running, logger, pollMs }: CancellationWatchOptions): CancellationWatch {
  const cancel = (commandId: string, reason: string): boolean => {
    const entry = running.get(commandId);
    if (entry) cancelEntry(entry, reason, logger);
    return !!entry;
  };

  let timer: NodeJS.Timeout | null = null;
  const stopPolling = (): void => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const poll = (): void => {
    if (running.size === 0) return stopPolling();
    for (const [id, entry] of running) {
      if (!entry.process || entry.cancelReason) continue;
      source
        .isCancelled(id)
        .then((cancelled) => {
          if (cancelled) cancelEntry(entry, CANCELLED_BY_USER, logger);
        })
        .catch((error: unknown) => logger.debug(`could not check whether ${id} was cancelled`, { error }));
    }
  };
  const watchRunning = (): void => {
    if (timer) return;
    timer = setInterval(poll, pollMs);
    timer.unref();
  };

  return {
    cancelledAtSource: (commandId) => void cancel(commandId, CANCELLED_BY_USER),
    cancel,
    cancelAll: (reason) => {
      for (const entry of running.values()) cancelEntry(entry, reason, logger);
    },
    watchRunning,
    stop: stopPolling,
  };
}
