import { execFile } from 'node:child_process';

/**
 * `<agent> --version`, for settings and `beacon doctor`: proves the resolved path really runs.
 * Cached per path; a hung agent costs at most the timeout.
 */
export type AgentVersion = { ok: true; version: string } | { ok: false; reason: string };

const cache = new Map<string, Promise<AgentVersion>>();

export function probeAgentVersion(path: string, env: Record<string, string>, timeoutMs = 5000): Promise<AgentVersion> {
  let pending = cache.get(path);
  if (!pending) {
    pending = new Promise<AgentVersion>((resolve) => {
      execFile(path, ['--version'], { env, timeout: timeoutMs, maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
        const text = `${stdout}`.trim() || `${stderr}`.trim();
        if (error) resolve({ ok: false, reason: `${path} --version failed: ${error.message.split('\n')[0]}` });
        else resolve({ ok: true, version: text.split('\n')[0] ?? '' });
      });
    });
    cache.set(path, pending);
    void pending.then((result) => {
      if (!result.ok) cache.delete(path); // a failure may be fixed by the user; try again next time
    });
  }
  return pending;
}
