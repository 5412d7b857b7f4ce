import type { Command } from '../contract/command.js';
import type { PreClaimCheck, PreClaimDecision } from './source.js';

/**
 * One candidate must never stall a claim round: an exception while checking (or mapping) one command
 * becomes a decision for that command alone. `ours` (only this machine may serve it) decides between
 * claim-and-fail with the reason and leaving it for another machine.
 */
export function uncheckedDecision(error: unknown, ours: boolean): PreClaimDecision {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, reason: `Beacon could not check this command: ${message}`, claimAndFail: ours, unchecked: true };
}

/** Runs `check` on one candidate; a throw is turned into uncheckedDecision. */
export function guardedCheck(check: PreClaimCheck, command: Command, ours: boolean): PreClaimDecision {
  try {
    return check(command);
  } catch (error) {
    return uncheckedDecision(error, ours);
  }
}

/** Remembers which ids were already logged, so a row left pending is reported once, not every round. */
export class LoggedOnce {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 1000) {}

  /** True the first time an id is seen (the set is bounded: beyond `limit` it starts over). */
  first(id: string): boolean {
    if (this.seen.has(id)) return false;
    if (this.seen.size >= this.limit) this.seen.clear();
    this.seen.add(id);
    return true;
  }
}
