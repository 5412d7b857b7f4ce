import { spawnSync } from 'node:child_process';
import { findOnPath, isExecutableFile } from './agents.js';

/**
 * Can the claude CLI's own sandbox run here? It wraps each Bash command of the agent: on Linux in bubblewrap
 * (its own mount, PID and network namespaces, seccomp refusing unix sockets; socat carries the allowed network),
 * on macOS in Seatbelt (sandbox-exec). Beacon turns it on by default where it can run (permissions.sandbox:
 * auto) and checks the same programs the CLI needs, plus one real bubblewrap start: user namespaces may be off.
 */
export type SandboxSupport = { available: true; detail: string } | { available: false; detail: string };

const cache = new Map<string, SandboxSupport>();

export function sandboxSupport(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): SandboxSupport {
  const key = `${platform}\u0000${env.PATH ?? ''}`;
  const known = cache.get(key);
  if (known) return known;
  const support = detect(env, platform);
  cache.set(key, support);
  return support;
}

function detect(env: Record<string, string | undefined>, platform: NodeJS.Platform): SandboxSupport {
  if (platform === 'darwin') {
    return isExecutableFile('/usr/bin/sandbox-exec')
      ? { available: true, detail: 'Seatbelt (/usr/bin/sandbox-exec)' }
      : { available: false, detail: '/usr/bin/sandbox-exec is missing' };
  }
  if (platform !== 'linux') return { available: false, detail: `the CLI has no sandbox on ${platform}` };
  const bwrap = findOnPath('bwrap', env.PATH);
  const socat = findOnPath('socat', env.PATH);
  const missing = [bwrap ? null : 'bubblewrap (bwrap)', socat ? null : 'socat'].filter(Boolean);
  if (missing.length) return { available: false, detail: `${missing.join(' and ')} not on the agent's PATH (Debian/Ubuntu: apt-get install bubblewrap socat)` };
  // User namespaces can be switched off (containers, hardened kernels): bubblewrap must actually start.
  const probe = spawnSync(bwrap as string, ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-pid', '--unshare-net', '--die-with-parent', 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 5000,
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${String(probe.status)}`).trim().split('\n')[0];
    return { available: false, detail: `bubblewrap cannot start here: ${why}` };
  }
  return { available: true, detail: `bubblewrap (${bwrap}) and socat (${socat})` };
}
