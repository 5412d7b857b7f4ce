import type { BeaconSnapshot } from '../../core/contract/types.js';
import { readPaused } from '../../core/executor/pause-state.js';
import type { MentuPaths } from '../../core/paths.js';
import { callExecutor, ExecutorNotRunningError } from './client.js';

/**
 * What `beacon status` says about the executor itself: whether one runs, whether it claims or is paused,
 * which edits of beacon.yaml wait for a restart and which could not be applied. Asked of the running
 * executor over its control socket; with none running, the persisted pause flag the next one starts with.
 */
export interface ExecutorStateReport {
  running: boolean;
  /** The running executor's role; null when none runs. */
  role: BeaconSnapshot['role'] | null;
  /** The running executor's pause state, else the flag the next executor starts with. */
  paused: boolean;
  /** Claiming new commands right now: running, active and not paused. */
  claiming: boolean;
  /** Settings changed in beacon.yaml that wait for a restart of the running executor. */
  restartNeeded: string[];
  /** The last edit of beacon.yaml the running executor could not apply (line and column), or null. */
  configError: string | null;
  /** The running executor's view (machine id, config path), for a status when the file itself is unreadable. */
  snapshot: BeaconSnapshot | null;
}

export async function readExecutorState(paths: MentuPaths): Promise<ExecutorStateReport> {
  let snapshot: BeaconSnapshot;
  try {
    snapshot = (await callExecutor(paths.controlSocket, 'getSnapshot', [], 5000)) as BeaconSnapshot;
  } catch (error) {
    if (!(error instanceof ExecutorNotRunningError)) throw error;
    const paused = readPaused(paths.state);
    return { running: false, role: null, paused, claiming: false, restartNeeded: [], configError: null, snapshot: null };
  }
  return {
    running: true,
    role: snapshot.role,
    paused: snapshot.paused,
    claiming: snapshot.role === 'active' && !snapshot.paused,
    restartNeeded: snapshot.restartNeeded ?? [],
    configError: snapshot.configError ?? null,
    snapshot,
  };
}

/** The status lines about claiming, restarts and rejected edits. */
export function renderExecutorState(state: ExecutorStateReport): string[] {
  const lines: string[] = [];
  if (!state.running) {
    lines.push(`Claiming:       no executor is running; the next one starts ${state.paused ? 'PAUSED (beacon resume to undo)' : 'claiming'}`);
    return lines;
  }
  if (state.claiming) lines.push('Claiming:       yes');
  else if (state.paused) lines.push(`Claiming:       no, PAUSED${state.role === 'active' ? '' : ` (${state.role})`}: running commands finish; beacon resume to claim again`);
  else lines.push(`Claiming:       no, ${state.role === 'standby' ? 'standby: another executor holds the lock' : `the executor is ${state.role}`}`);
  if (state.restartNeeded.length) {
    lines.push(`Restart needed: ${state.restartNeeded.join(', ')} changed in beacon.yaml; the executor runs with the old value until it restarts`);
  }
  if (state.configError) lines.push(`Config edit:    not applied: ${state.configError}`);
  return lines;
}
