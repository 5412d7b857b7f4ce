import type { CommandSource, HeartbeatState } from '../commands/source.js';
import type { Logger } from '../logger.js';

/** Tells the source this executor is alive (and busy with what) every period; a failure is logged, never fatal. */
export interface Heartbeat {
  beatNow(): void;
  /** A new period (beacon.yaml edited): the next beat is one new period from now. */
  setPeriod(periodMs: number): void;
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
  let currentMs = periodMs;
  let timer = setInterval(beat, periodMs);
  timer.unref();
  return {
    beatNow: beat,
    setPeriod: (nextMs) => {
      if (nextMs === currentMs) return;
      currentMs = nextMs;
      clearInterval(timer);
      timer = setInterval(beat, nextMs);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}
