/**
 * How a run's exit code reads. A run Beacon stopped (timeout, cancel, executor shutdown) never records 0: it
 * records the agent's own non-zero code, or 128 + the number of the signal that ended it (the shell's convention:
 * 130 SIGINT, 143 SIGTERM, 137 SIGKILL). docs/supabase.md states this for the dashboard.
 */

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };
const SIGNAL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(SIGNAL_NUMBERS).map(([name, number]) => [number, name]));

export function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
}

/**
 * The exit code of a stopped run: the agent's own when non-zero; else 128 + the signal that killed it; else
 * (it exited 0 after being asked to stop) 128 + the signal Beacon sent; null when nothing says how it ended.
 */
export function stoppedExitCode(exitCode: number | null, killedBySignal: number | null, stopSignal: string | null): number | null {
  if (exitCode !== null && exitCode > 0) return exitCode;
  if (killedBySignal) return 128 + killedBySignal;
  const sent = stopSignal ? SIGNAL_NUMBERS[stopSignal] : undefined;
  return sent ? 128 + sent : null;
}

/** "130 (SIGINT)" for a stopped run ended by a signal, else the plain code; null when there is none. */
export function describeExitCode(exitCode: number | null, status: string): string | null {
  if (exitCode === null) return null;
  const stopped = status === 'timeout' || status === 'cancelled';
  if (stopped && exitCode > 128 && SIGNAL_NAMES[exitCode - 128]) return `${exitCode} (${SIGNAL_NAMES[exitCode - 128]})`;
  return String(exitCode);
}
