import type { LockHolderView } from '../core/contract/types.js';
import type { Logger } from '../core/logger.js';

/**
 * The app's life as one state machine, with no Electron in it:
 *   starting → standby ⇄ (holder changes) → active → quitting → stopped
 * Two ways out:
 * - quit (the tray's Quit, Cmd+Q): stop claiming → if commands run, ask before cancelling them → cancel only
 *   with consent → stop the core (machine offline, lock released) → exit. Declining keeps Beacon running and
 *   claiming as before. After the answer the app is gone within `quitBoundMs`, whatever hangs.
 * - shutdown (macOS logs out, restarts or shuts down): no question; stop claiming → stop the core, which
 *   cancels running commands as "machine shutting down" and records them → exit, all within
 *   `shutdownBoundMs` (3–5 s), so Beacon never holds up the logout. A shutdown during a quit takes it over.
 */
export type LifecyclePhase =
  | { name: 'starting' }
  | { name: 'standby'; holder: LockHolderView }
  | { name: 'active' }
  | { name: 'confirming-quit'; running: RunningCommandSummary[] }
  | { name: 'quitting'; step: QuitStep; mode: QuitMode }
  | { name: 'stopped' };
export type LifecyclePhaseName = LifecyclePhase['name'];

export type QuitStep = 'stop-claiming' | 'cancel-running' | 'stop-core' | 'exit';
export type QuitMode = 'quit' | 'shutdown';

/** The reason recorded on commands cancelled because the Mac logs out, restarts or shuts down. */
export const MACHINE_SHUTTING_DOWN = 'machine shutting down';
/** From the user's answer to exit, at most (the kill ladder alone may take ~4 s). */
export const QUIT_BOUND_MS = 15_000;
/** From the system's shutdown notice to exit, at most: macOS waits a few seconds before it calls an app hung. */
export const SHUTDOWN_BOUND_MS = 4_000;

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
   * On 'shutdown' whatever still runs is cancelled with MACHINE_SHUTTING_DOWN and recorded.
   */
  stopCore(mode: QuitMode): Promise<void>;
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
  /** The system is going down: quit without asking, within SHUTDOWN_BOUND_MS (takes over a quit under way). */
  requestShutdown(): Promise<QuitResult>;
  /** A shutdown was requested (a later quit request joins it). */
  shuttingDown(): boolean;
}

export interface LifecycleOptions {
  quitBoundMs?: number;
  shutdownBoundMs?: number;
}

export function createLifecycle(ports: LifecyclePorts, logger: Logger, options: LifecycleOptions = {}): Lifecycle {
  const quitBoundMs = options.quitBoundMs ?? QUIT_BOUND_MS;
  const shutdownBoundMs = options.shutdownBoundMs ?? SHUTDOWN_BOUND_MS;
  let current: LifecyclePhase = { name: 'starting' };
  const listeners = new Set<(phase: LifecyclePhase) => void>();
  const startAbort = new AbortController();
  let startup: Promise<void> | null = null;
  let quitting: Promise<QuitResult> | null = null;
  let coreStarted = false;
  let mode: QuitMode = 'quit';
  /** Resolves when a shutdown is requested (ends a pending question). */
  let onShutdown: () => void = () => {};
  const shutdownRequested = new Promise<void>((resolve) => (onShutdown = resolve));
  const deadline = createDeadline();

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

  /**
   * One step of the way out. A failing step is logged and the sequence goes on (a quit must always end with the
   * app gone); once the deadline passed, the remaining steps are skipped and only exit runs.
   */
  const step = async (name: QuitStep, run: () => Promise<void> | void): Promise<void> => {
    enter({ name: 'quitting', step: name, mode });
    if (name !== 'exit' && deadline.passed()) return;
    try {
      const outcome = await Promise.race([Promise.resolve().then(run).then(() => 'done' as const), deadline.reached]);
      if (outcome === 'late') logger.warn(`quit: ${name} did not finish within the time allowed; leaving anyway`);
    } catch (error) {
      logger.error(`quit step ${name} failed; continuing to quit`, { error });
    }
  };

  const leave = async (): Promise<QuitResult> => {
    await step('exit', () => ports.exit());
    enter({ name: 'stopped' });
    deadline.clear();
    return 'quit';
  };

  const quitSequence = async (): Promise<QuitResult> => {
    if (current.name === 'starting' || current.name === 'standby') {
      // Not active yet: no claims, no lock, no source. Stop waiting and leave.
      startAbort.abort();
      await startup?.catch(() => undefined);
    }
    if (!coreStarted) return leave();

    await step('stop-claiming', () => ports.stopClaiming());
    const running = mode === 'shutdown' ? [] : await ports.runningCommands();
    if (running.length > 0 && mode === 'quit') {
      enter({ name: 'confirming-quit', running });
      const asked = ports.confirmCancel(running).catch((error: unknown) => {
        logger.error('could not ask before cancelling running commands; not quitting', { error });
        return false;
      });
      // A shutdown while the question is open answers it: the system is going down either way.
      const consent = await Promise.race([asked, shutdownRequested.then(() => true)]);
      if (!consent) {
        await ports.resumeClaiming();
        enter({ name: 'active' });
        return 'declined';
      }
    }
    if (mode === 'quit') deadline.within(quitBoundMs);
    // On shutdown the core cancels what runs (with the reason) as it stops; a quit cancels first, as agreed.
    if (running.length > 0 && mode === 'quit') await step('cancel-running', () => ports.cancelRunning(running.map((command) => command.id)));
    await step('stop-core', () => ports.stopCore(mode));
    return leave();
  };

  const runQuit = (): Promise<QuitResult> => {
    if (current.name === 'stopped') return Promise.resolve('quit');
    quitting ??= quitSequence().finally(() => {
      quitting = null;
    });
    return quitting;
  };

  return {
    phase: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    start,
    requestQuit: runQuit,
    requestShutdown() {
      if (mode !== 'shutdown') {
        mode = 'shutdown';
        logger.info(`the system is shutting down: quitting within ${Math.round(shutdownBoundMs / 100) / 10} s`);
        deadline.within(shutdownBoundMs);
        onShutdown();
      }
      return runQuit();
    },
    shuttingDown: () => mode === 'shutdown',
  };
}

/** A point in time the quit must not pass; within() only ever brings it closer. */
function createDeadline() {
  let endsAt = Infinity;
  let timer: NodeJS.Timeout | null = null;
  let reach: (value: 'late') => void = () => {};
  const reached = new Promise<'late'>((resolve) => (reach = resolve));
  return {
    reached,
    passed: () => Date.now() >= endsAt,
    within(ms: number) {
      if (Date.now() + ms >= endsAt) return;
      endsAt = Date.now() + ms;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => reach('late'), ms);
    },
    clear() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
