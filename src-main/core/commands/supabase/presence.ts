import type { SupabaseClient } from '@supabase/supabase-js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.js';
import type { HeartbeatState } from '../source.js';
import type { ConnectionTracker } from './connection.js';
import { statusFor, upsertMachine, type MachineInfo } from './machine.js';

/**
 * This machine's presence in bridge_machines: a beat when the source starts, on every executor
 * heartbeat, from the source's own timer when the executor's went quiet, and `offline` on stop.
 * A failed beat is shown in the status line and simply retried by the next one.
 */
export interface PresenceDeps {
  client: () => SupabaseClient;
  machine: () => MachineInfo;
  tracker: ConnectionTracker;
  logger: Logger;
  /** The heartbeat period now (it follows beacon.yaml). */
  heartbeatSeconds: () => number;
  /** A beat that got through means the database answers: queued writes may go now. */
  onReachable: () => void;
  /** The row was registered (null) or refused (the reason), for the auth view. */
  onRegistration?: (problem: string | null) => void;
  /** In session mode a 401 is reported by the session, not as a second auth failure. */
  sessionMode?: () => boolean;
}

export class MachinePresence {
  private state: HeartbeatState = { busy: false, runningCommandIds: [] };
  private lastBeatAt = 0;

  constructor(private readonly deps: PresenceDeps) {}

  async beat(state: HeartbeatState = this.state): Promise<void> {
    this.state = state;
    this.lastBeatAt = Date.now();
    const { tracker, logger } = this.deps;
    const machine = this.deps.machine();
    const { status, currentCommandId } = statusFor(this.state);
    const result = await upsertMachine(this.deps.client(), machine, status, currentCommandId, new Date());
    if (result.ok) {
      this.deps.onRegistration?.(null);
      tracker.registration(null);
      tracker.restSucceeded();
      this.deps.onReachable();
      return;
    }
    logger.warn(result.message, { machineId: machine.machineId });
    if (result.status !== 0 || !/skipped/.test(result.message)) this.deps.onRegistration?.(result.message);
    tracker.registration(result.message);
    if (result.status === 0 && !/skipped/.test(result.message)) tracker.restFailed('network', result.message);
    if (result.status === 401 && this.deps.sessionMode?.() !== true) tracker.restFailed('auth', result.message);
  }

  /** The source's own timer: skipped when the executor's heartbeat already beat this period. */
  async beatIfQuiet(): Promise<void> {
    if (Date.now() - this.lastBeatAt < this.deps.heartbeatSeconds() * 900) return;
    await this.beat();
  }

  /** On stop: `offline`, given at most 3 s (a stop must not hang on an unreachable database). */
  async offline(): Promise<void> {
    const offline = upsertMachine(this.deps.client(), this.deps.machine(), 'offline', null, new Date());
    const result = await Promise.race([offline, sleep(3000, null, { ref: false })]);
    if (result && !result.ok) this.deps.logger.warn(result.message);
  }
}
