import type { Command } from '../contract/command.js';
import type { Logger } from '../logger.js';

/**
 * The claim loop: on every wake-up, claim while there is room. Wake-ups that arrive during a pass are
 * folded into one more pass, so claims never run concurrently inside one executor.
 */
export interface ClaimLoopDeps {
  /** Active, not paused, below max_concurrent. */
  canClaim(): boolean;
  claimNext(): Promise<Command | null>;
  /**
   * Take over a claimed command (synchronously registers it; the run goes on in the background).
   * false: it was refused (already handled), and this pass ends so a confused source cannot spin us.
   */
  handle(command: Command): boolean;
  logger: Logger;
  /** Backoff after a failed claim, so a broken database is not hammered (default 1000 ms). */
  retryMs?: number;
}

export interface ClaimLoop {
  wake(reason: string): void;
  /** Resolves when no pass is in progress (for shutdown and tests). */
  idle(): Promise<void>;
  dispose(): void;
}

export function createClaimLoop(deps: ClaimLoopDeps): ClaimLoop {
  /** True from a wake until the pass that served it returns; checked and cleared synchronously, so no wake is lost. */
  let passing = false;
  let again = false;
  let current: Promise<void> = Promise.resolve();
  let retryTimer: NodeJS.Timeout | null = null;

  const scheduleRetry = (): void => {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      wake('retry after a failed claim');
    }, deps.retryMs ?? 1000);
  };

  const pass = async (): Promise<void> => {
    for (;;) {
      again = false;
      // Debug lines that say what a pass decided: tests and `BEACON_LOG_LEVEL=debug` wait on them.
      if (!deps.canClaim()) deps.logger.debug('claim pass: not claiming (paused, standby or at capacity)');
      while (deps.canClaim()) {
        let command: Command | null;
        try {
          command = await deps.claimNext();
        } catch (error) {
          deps.logger.warn('claiming failed; retrying shortly', { error });
          scheduleRetry();
          break;
        }
        if (!command) deps.logger.debug('claim pass: nothing to claim');
        if (!command || !deps.handle(command)) break;
      }
      // No await between this check and the reset: a wake in between would be lost.
      if (!again) {
        passing = false;
        return;
      }
    }
  };

  const wake = (reason: string): void => {
    deps.logger.debug(`wake: ${reason}`);
    if (passing) {
      again = true;
      return;
    }
    passing = true;
    current = pass();
  };

  return {
    wake,
    idle: async () => {
      while (passing) await current;
    },
    dispose: () => {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    },
  };
}
