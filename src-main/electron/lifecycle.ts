import type { LockHolderView } from '../core/contract/types.js';
import type { Logger } from '../core/logger.js';

/**
 * The app's life as one state machine, with no Electron in it:
 *   starting → standby ⇄ (holder changes) → active → quitting → stopped
 * and the quit sequence: stop claiming → if commands run, ask before cancelling them → cancel only with
 * consent → stop the core (machine offline, lock released) → exit. Declining keeps Beacon
 * running and claiming as before.
 */

export type LifecyclePhase =
  | { name: 'starting' }
  | { name: 'standby'; holder: LockHolderView }
  | { name: 'active' }
  | { name: 'confirming-quit'; running: RunningCommandSummary[] }
  | { name: 'quitting'; step: QuitStep }
  | { name: 'stopped' };
export type LifecyclePhaseName = LifecyclePhase['name'];

export type QuitStep = 'stop-claiming' | 'cancel-running' | 'stop-core' | 'exit';

const TRANSITIONS: Readonly<Record<LifecyclePhaseName, readonly LifecyclePhaseName[]>> = {
  starting: ['standby', 'active', 'quitting'],
  standby: ['standby', 'active', 'quitting'],
  active: ['confirming-quit', 'quitting'],
  'confirming-quit': ['active', 'quitting'],
  quitting: ['quitting', 'confirming-quit', 'stopped'],
  stopped: [],
};

export interface RunningCommandSummary {
  id: string;
  prompt: string;
}

export interface LifecyclePorts {
  /**
   * Become the active executor: resolves once the lock is ours and the core runs. While another executor
   * holds the lock it calls onStandby (again whenever the holder is re-read). Rejects when aborted.
   */
  activate(signal: AbortSignal, onStandby: (holder: LockHolderView) => void): Promise<void>;
  /** No new claims from now on (not the persisted pause: the next launch claims as usual). */
  stopClaiming(): Promise<void>;
  /** The user declined to quit: claim again as before. */
  resumeClaiming(): Promise<void>;
  runningCommands(): Promise<RunningCommandSummary[]>;
  /** Ask the user (a dialog) whether to cancel these and quit. */
  confirmCancel(running: RunningCommandSummary[]): Promise<boolean>;
  /** Cancel them and wait until their processes are gone. */
  cancelRunning(ids: string[]): Promise<void>;
  /**
   * Stop the core: the command source stops (the machine is marked offline where the source has
   * machines) and the executor lock is released, so a headless Beacon or the Bridge may take over.
   */
  stopCore(): Promise<void>;
  exit(): void;
}

export type QuitResult = 'quit' | 'declined';

export interface Lifecycle {
  phase(): LifecyclePhase;
  onChange(listener: (phase: LifecyclePhase) => void): () => void;
  /** Start (once). Resolves when active, or when a quit interrupted the start. */
  start(): Promise<void>;
  /** Run the quit sequence; concurrent calls share one sequence. */
  requestQuit(): Promise<QuitResult>;
}

export function createLifecycle(ports: LifecyclePorts, logger: Logger): Lifecycle {
  let current: LifecyclePhase = { name: 'starting' };
  const listeners = new Set<(phase: LifecyclePhase) => void>();
  const startAbort = new AbortController();
  let startup: Promise<void> | null = null;
  let quitting: Promise<QuitResult> | null = null;
  let coreStarted = false;

  const enter = (next: LifecyclePhase): void => {
    if (!TRANSITIONS[current.name].includes(next.name)) {
      throw new Error(`Lifecycle: ${current.name} cannot become ${next.name}`);
    }
    current = next;
    for (const listener of listeners) listener(next);
  };

  const start = (): Promise<void> => {
    startup ??= ports
      .activate(startAbort.signal, (holder) => {
        if (current.name === 'starting' || current.name === 'standby') enter({ name: 'standby', holder });
      })
      .then(
        () => {
          coreStarted = true;
          if (current.name === 'starting' || current.name === 'standby') enter({ name: 'active' });
        },
        (error: unknown) => {
          if (startAbort.signal.aborted) return; // a quit interrupted the wait: nothing to report
          throw error;
        },
      );
    return startup;
  };

  // A failing step is logged and the sequence goes on: a quit must always end with the app gone.
  const step = async (name: QuitStep, run: () => Promise<void> | void): Promise<void> => {
    enter({ name: 'quitting', step: name });
    try {
      await run();
    } catch (error) {
      logger.error(`quit step ${name} failed; continuing to quit`, { error });
    }
  };

  const quitSequence = async (): Promise<QuitResult> => {
    if (current.name === 'starting' || current.name === 'standby') {
      // Not active yet: no claims, no lock, no source. Stop waiting and leave.
      startAbort.abort();
      await startup?.catch(() => undefined);
    }
    if (!coreStarted) {
      await step('exit', () => ports.exit());
      enter({ name: 'stopped' });
      return 'quit';
    }

    await step('stop-claiming', () => ports.stopClaiming());
    const running = await ports.runningCommands();
    if (running.length > 0) {
      enter({ name: 'confirming-quit', running });
      const consent = await ports.confirmCancel(running).catch((error: unknown) => {
        logger.error('could not ask before cancelling running commands; not quitting', { error });
        return false;
      });
      if (!consent) {
        await ports.resumeClaiming();
        enter({ name: 'active' });
        return 'declined';
      }
      await step('cancel-running', () => ports.cancelRunning(running.map((command) => command.id)));
    }
    await step('stop-core', () => ports.stopCore());
    await step('exit', () => ports.exit());
    enter({ name: 'stopped' });
    return 'quit';
  };

  return {
    phase: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    start,
    requestQuit() {
      if (current.name === 'stopped') return Promise.resolve('quit');
      quitting ??= quitSequence().finally(() => {
        quitting = null;
      });
      return quitting;
    },
  };
}
