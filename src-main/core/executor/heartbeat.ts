import type { CommandSource, HeartbeatState } from '../commands/source.js';
import type { Logger } from '../logger.js';

/** Tells the source this executor is alive (and busy with what) every period; a failure is logged, never fatal. */
export interface Heartbeat {
  beatNow(): void;
  stop(): void;
}

export function startHeartbeat(source: CommandSource, periodMs: number, state: () => HeartbeatState, logger: Logger): Heartbeat {
  let inFlight = false;
  const beat = (): void => {
    if (inFlight) return; // a slow database must not stack heartbeats
    inFlight = true;
    source
      .heartbeat(state())
      .catch((error: unknown) => logger.warn('heartbeat failed', { error }))
      .finally(() => {
        inFlight = false;
      });
  };
  const timer = setInterval(beat, periodMs);
  timer.unref();
  return { beatNow: beat, stop: () => clearInterval(timer) };
}
