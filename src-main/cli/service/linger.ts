import { spawnSync } from 'node:child_process';

/**
 * A systemd user service runs only while its user has a session, unless the user "lingers": then it starts
 * at boot and survives logout, which a server needs. `beacon service install` on Linux checks lingering and
 * turns it on (`loginctl enable-linger`, allowed for oneself on most systems), or prints the exact command
 * to run as root when it cannot.
 */
export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  missing: boolean;
}

export type RunCommand = (file: string, args: string[]) => CommandResult;

export const runCommand: RunCommand = (file, args) => {
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 15_000 });
  const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', missing };
};

export interface LingerOutcome {
  state: 'already-on' | 'turned-on' | 'would-turn-on' | 'needs-root' | 'no-loginctl';
  /** What to tell the user, line by line. */
  lines: string[];
}

export function ensureLinger(user: string, run: RunCommand, dryRun: boolean): LingerOutcome {
  const rootCommand = `sudo loginctl enable-linger ${user}`;
  const check = run('loginctl', ['show-user', user, '--property=Linger', '--value']);
  if (check.missing) {
    return {
      state: 'no-loginctl',
      lines: [
        'loginctl is not installed, so lingering cannot be checked: without it the service runs only while you are logged in.',
        `On a systemd machine, run once as root: ${rootCommand}`,
      ],
    };
  }
  // A user without a session and without lingering is "not logged in": that is lingering off.
  if (check.status === 0 && check.stdout.trim() === 'yes') {
    return { state: 'already-on', lines: [`Lingering is on for ${user}: the service starts at boot and keeps running after you log out.`] };
  }
  if (dryRun) return { state: 'would-turn-on', lines: [`would run: loginctl enable-linger ${user} (so the service starts at boot and survives logout)`] };
  const enable = run('loginctl', ['enable-linger', user]);
  if (enable.status === 0) {
    return { state: 'turned-on', lines: [`Turned lingering on for ${user} (loginctl enable-linger): the service starts at boot and keeps running after you log out.`] };
  }
  const why = (enable.stderr || enable.stdout).trim().split('\n')[0] || `exit code ${String(enable.status)}`;
  return {
    state: 'needs-root',
    lines: [
      `Could not turn lingering on (${why}); until it is on, the service stops when you log out and does not start at boot.`,
      `Run this once, as root: ${rootCommand}`,
    ],
  };
}
