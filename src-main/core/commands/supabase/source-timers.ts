/** Poll and heartbeat periods, in seconds. */
export interface SourceTimings {
  pollSeconds: number;
  heartbeatSeconds: number;
}

/**
 * The source's two periodic timers: the poll backstop and the heartbeat of a quiet period. Their periods
 * come from the options, then from retune() when beacon.yaml changes; armed timers are re-armed then,
 * nothing reconnects. Unref'd: they never hold the process open.
 */
export class SourceTimers {
  private timers: NodeJS.Timeout[] = [];
  private armed = false;
  private timings: SourceTimings;

  constructor(
    timings: SourceTimings,
    private readonly tick: { poll: () => void; beat: () => void },
  ) {
    this.timings = { ...timings };
  }

  /** The heartbeat period now (presence skips a beat within it). */
  get heartbeatSeconds(): number {
    return this.timings.heartbeatSeconds;
  }

  start(): void {
    this.armed = true;
    this.arm();
  }

  stop(): void {
    this.armed = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  retune(timings: SourceTimings): void {
    if (timings.pollSeconds === this.timings.pollSeconds && timings.heartbeatSeconds === this.timings.heartbeatSeconds) return;
    this.timings = { pollSeconds: timings.pollSeconds, heartbeatSeconds: timings.heartbeatSeconds };
    if (this.armed) this.arm();
  }

  private arm(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [setInterval(this.tick.poll, this.timings.pollSeconds * 1000), setInterval(this.tick.beat, this.timings.heartbeatSeconds * 1000)];
    for (const timer of this.timers) timer.unref();
  }
}
