import { execFile } from 'node:child_process';

/**
 * `<agent> --version`, for settings and `beacon doctor`: proves the resolved path really runs.
 * Cached per path; a hung agent costs at most the timeout.
 */
/** timedOut: the agent ran but did not answer in time (a slow first start, a hang), which no path fixes. */
export type AgentVersion = { ok: true; version: string } | { ok: false; reason: string; timedOut: boolean };

const cache = new Map<string, Promise<AgentVersion>>();

export function probeAgentVersion(path: string, env: Record<string, string>, timeoutMs = 5000): Promise<AgentVersion> {
  let pending = cache.get(path);
  if (!pending) {
    pending = new Promise<AgentVersion>((resolve) => {
      execFile(path, ['--version'], { env, timeout: timeoutMs, maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
        const text = `${stdout}`.trim() || `${stderr}`.trim();
        // execFile kills the child at the timeout and reports it as killed by SIGTERM.
        const timedOut = !!error && error.killed === true && error.signal === 'SIGTERM';
        if (timedOut) resolve({ ok: false, timedOut, reason: `${path} --version did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} (timed out)` });
        else if (error) resolve({ ok: false, timedOut, reason: `${path} --version failed: ${error.message.split('\n')[0]}` });
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

export interface ClaudeLogin {
  /** null: unknown (the check failed or timed out). */
  loggedIn: boolean | null;
  /** "API key (ANTHROPIC_API_KEY)", "claude.ai subscription", … or why it is unknown. */
  detail: string;
}

/**
 * `claude auth status`: answers offline (JSON on stdout; exit 1 when logged out). Not cached: a user who logs in
 * should see it at the next check.
 */
export function probeClaudeLogin(path: string, env: Record<string, string>, timeoutMs = 10_000): Promise<ClaudeLogin> {
  return new Promise((resolve) => {
    execFile(path, ['auth', 'status'], { env, timeout: timeoutMs, maxBuffer: 64 * 1024 }, (error, stdout) => {
      const status = parseStatus(String(stdout));
      if (!status || typeof status.loggedIn !== 'boolean') {
        const why = error ? error.message.split('\n')[0] : 'it printed no status';
        resolve({ loggedIn: null, detail: `\`${path} auth status\` did not say (${why})` });
        return;
      }
      resolve({ loggedIn: status.loggedIn, detail: status.loggedIn ? describeMethod(status) : 'not logged in' });
    });
  });
}

interface AuthStatus {
  loggedIn?: unknown;
  authMethod?: unknown;
  apiKeySource?: unknown;
  subscriptionType?: unknown;
}

function parseStatus(text: string): AuthStatus | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as AuthStatus) : null;
  } catch {
    return null;
  }
}

function describeMethod(status: AuthStatus): string {
  if (status.authMethod === 'api_key') return `API key${typeof status.apiKeySource === 'string' ? ` (${status.apiKeySource})` : ''}`;
  if (typeof status.subscriptionType === 'string') return `claude.ai ${status.subscriptionType} subscription`;
  return typeof status.authMethod === 'string' ? status.authMethod : 'logged in';
}
