import { existsSync } from 'node:fs';
import type { AgentInvocation } from './runner.js';

/**
 * The agent starts in exactly the directory that was checked (issue 15, point 3). node-pty enters its cwd
 * by name, and a name can be swapped for a symlink between the check and the spawn (seen: agents running
 * in /etc). So the agent is started through a minimal POSIX shell step that enters the checked real path,
 * compares the device and inode it is now in with the checked ones, and only then execs the agent (the
 * agent keeps the pid, the process group and the terminal). On a mismatch it prints one line starting with
 * LAUNCH_REFUSED and exits with LAUNCH_EXIT_CODE; the runner reports that as "could not be started".
 */
export const LAUNCH_REFUSED = 'beacon-launch:';
export const LAUNCH_EXIT_CODE = 126;

const SCRIPT = [
  'dir=$1 want=$2 stat=$3 format=$4; shift 4',
  `cd -P -- "$dir" 2>/dev/null || { printf '%s\\n' "${LAUNCH_REFUSED} cannot enter the working directory $dir; the agent was not started"; exit ${LAUNCH_EXIT_CODE}; }`,
  'got=$("$stat" -L "$format" "%d:%i" . 2>/dev/null)',
  `[ "$got" = "$want" ] || { printf '%s\\n' "${LAUNCH_REFUSED} the working directory $dir was replaced after it was checked (expected device:inode $want, found \${got:-nothing}); the agent was not started"; exit ${LAUNCH_EXIT_CODE}; }`,
  'exec "$@"',
].join('\n');

/** stat(1) and how it is asked for "%d:%i": GNU/BusyBox `-c`, BSD (macOS) `-f`. */
function statCommand(): { path: string; format: string } | null {
  const path = ['/usr/bin/stat', '/bin/stat'].find((candidate) => existsSync(candidate));
  if (!path) return null;
  return { path, format: process.platform === 'darwin' || process.platform.endsWith('bsd') ? '-f' : '-c' };
}

const stat = statCommand();

/**
 * The invocation that enters `cwd`, verifies it is `identity` ("dev:ino"), then execs `invocation`. Null
 * when this system has no stat(1) to verify with: the caller then spawns in `cwd` as before.
 */
export function verifiedLaunch(invocation: AgentInvocation, cwd: string, identity: string): AgentInvocation | null {
  if (!stat || !existsSync('/bin/sh')) return null;
  return { file: '/bin/sh', args: ['-c', SCRIPT, 'beacon-launch', cwd, identity, stat.path, stat.format, invocation.file, ...invocation.args] };
}
