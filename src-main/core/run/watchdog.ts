import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Every agent ends when the executor dies, however it dies. Closing the pty master (the kernel does it when
 * the executor is killed) hangs up the agent's terminal, but an agent may ignore SIGHUP, and its other
 * processes may not be in the terminal's foreground group. So each run gets a watchdog: a tiny shell in
 * its own session that holds the read end of a pipe whose write end only the executor holds. When the
 * executor is gone the read sees end-of-file and the watchdog stops the agent's whole process group
 * (SIGTERM, then SIGKILL after `graceSeconds`). When the run ends normally the executor tells it to leave.
 * PR_SET_PDEATHSIG would do this on Linux only, and Node cannot set it for a pty child.
 */
export interface Watchdog {
  /** The run is over (its group is gone): the watchdog exits without signalling anything. */
  release(): void;
  readonly pid: number | null;
}

const SCRIPT = [
  'if read -r _; then exit 0; fi', // a line: released; end-of-file: the executor is gone
  'kill -s TERM -- -"$1" 2>/dev/null || exit 0',
  'sleep "$2"',
  'kill -s KILL -- -"$1" 2>/dev/null',
  'exit 0',
].join('\n');

export function watchProcessGroup(pgid: number, graceSeconds = 2): Watchdog {
  let child: ChildProcess;
  try {
    // detached: its own session, so a Ctrl-C or a hang-up meant for the executor's terminal never reaches it.
    child = spawn('/bin/sh', ['-c', SCRIPT, 'beacon-watchdog', String(pgid), String(graceSeconds)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
  } catch {
    return { release: () => {}, pid: null };
  }
  child.on('error', () => {}); // no /bin/sh: the pty hang-up is all that is left
  child.stdin?.on('error', () => {});
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    pid: child.pid ?? null,
    release: () => {
      if (released) return;
      released = true;
      child.stdin?.end('release\n');
    },
  };
}
