/**
 * Fault injection state shared by the REST handler, the realtime server and the HTTP listener.
 * Durations are relative to the call; `now` is injectable for determinism.
 */
export type StallMode = 'drop' | 'hold';

export interface RestFailureSpec {
  /** HTTP status to answer with (default 503). */
  status?: number;
  /** Fail this many requests, then recover. */
  count?: number;
  /** Fail every request for this many milliseconds from now. */
  untilMs?: number;
}

/**
 * The auth endpoint (/auth/v1) misbehaving on its own, REST and Realtime unaffected: 'down' resets every
 * connection (GoTrue unreachable), 'slow' answers after `delayMs`, 'refusing' answers every token grant
 * with `status` (default 400) as GoTrue answers a refresh token it does not know.
 */
export interface AuthFaultSpec {
  mode: 'down' | 'slow' | 'refusing';
  delayMs?: number;
  status?: number;
  /** Only this many requests, then healthy again. */
  count?: number;
  /** Only for this many milliseconds from now. */
  untilMs?: number;
}

export interface AuthFault {
  mode: AuthFaultSpec['mode'];
  delayMs: number;
  status: number;
}

export interface FaultActions {
  /** Terminates every realtime socket abruptly (clients see CLOSED, then reconnect). */
  dropAllSockets(): void;
  /** Destroys every open HTTP/WebSocket connection. */
  destroyConnections(): void;
  /** Releases changes held by a 'hold' stall. */
  releaseHeld(): void;
}

export class FaultState {
  latencyMs = 0;
  joinsRefused = false;
  private restFailure: { status: number; remaining: number | null; until: number | null } | null = null;
  private unreachableUntil = 0;
  private stall: { until: number; mode: StallMode; timer: NodeJS.Timeout } | null = null;
  private authFault: (AuthFault & { remaining: number | null; until: number | null }) | null = null;

  constructor(
    private readonly actions: FaultActions,
    private readonly now: () => number = Date.now,
  ) {}

  // --- the public fault API (Gateway.faults) ---

  dropAllSockets(): void {
    this.actions.dropAllSockets();
  }

  /** For `ms`, database changes are not delivered: 'drop' loses them (like Realtime, which has no replay), 'hold' delays them. */
  stallDelivery(ms: number, mode: StallMode = 'drop'): void {
    if (this.stall) clearTimeout(this.stall.timer);
    const timer = setTimeout(() => this.endStall(), ms);
    timer.unref();
    this.stall = { until: this.now() + ms, mode, timer };
  }

  refuseJoins(on: boolean): void {
    this.joinsRefused = on;
  }

  restFailures(spec: RestFailureSpec | null): void {
    if (!spec) {
      this.restFailure = null;
      return;
    }
    this.restFailure = {
      status: spec.status ?? 503,
      remaining: spec.count ?? null,
      until: spec.untilMs === undefined ? null : this.now() + spec.untilMs,
    };
    if (this.restFailure.remaining === null && this.restFailure.until === null) this.restFailure.remaining = 1;
  }

  /** A fault of the auth endpoint alone (see AuthFaultSpec); null heals it. */
  auth(spec: AuthFaultSpec | null): void {
    this.authFault = spec && {
      mode: spec.mode,
      delayMs: spec.delayMs ?? 20_000,
      status: spec.status ?? 400,
      remaining: spec.count ?? null,
      until: spec.untilMs === undefined ? null : this.now() + spec.untilMs,
    };
  }

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Closes every connection and refuses new REST and WebSocket connections for `ms`. */
  unreachable(ms: number): void {
    this.unreachableUntil = this.now() + ms;
    this.actions.dropAllSockets();
    this.actions.destroyConnections();
  }

  /** Back to a healthy gateway. */
  clear(): void {
    this.latencyMs = 0;
    this.joinsRefused = false;
    this.restFailure = null;
    this.unreachableUntil = 0;
    this.authFault = null;
    if (this.stall) this.endStall();
  }

  // --- queries used by the gateway ---

  isUnreachable(): boolean {
    return this.now() < this.unreachableUntil;
  }

  /** The status to fail this REST request with, consuming one from a counted failure. */
  takeRestFailure(): number | null {
    const failure = this.restFailure;
    if (!failure) return null;
    if (failure.until !== null && this.now() >= failure.until) {
      this.restFailure = null;
      return null;
    }
    if (failure.remaining !== null) {
      if (failure.remaining <= 0) {
        this.restFailure = null;
        return null;
      }
      failure.remaining -= 1;
    }
    return failure.status;
  }

  /** The auth fault applying to a request arriving now (consuming one from a counted fault), or null. */
  takeAuthFault(): AuthFault | null {
    const fault = this.authFault;
    if (!fault) return null;
    if ((fault.until !== null && this.now() >= fault.until) || (fault.remaining !== null && fault.remaining <= 0)) {
      this.authFault = null;
      return null;
    }
    if (fault.remaining !== null) fault.remaining -= 1;
    return { mode: fault.mode, delayMs: fault.delayMs, status: fault.status };
  }

  /** 'deliver' normally; otherwise how a change arriving now is treated. */
  deliveryMode(): 'deliver' | StallMode {
    if (!this.stall || this.now() >= this.stall.until) return 'deliver';
    return this.stall.mode;
  }

  private endStall(): void {
    if (!this.stall) return;
    clearTimeout(this.stall.timer);
    this.stall = null;
    this.actions.releaseHeld();
  }
}

export { setTimeout as sleep } from 'node:timers/promises';
