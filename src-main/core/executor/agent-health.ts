import type { LoadedConfig } from '../config/load.js';
import type { AgentHealthView } from '../contract/types.js';
import type { Logger } from '../logger.js';
import { isClaudeProfile } from '../run/agent-flags.js';
import { resolveDefaultAgent } from '../run/agents.js';
import { loginShellReport } from '../run/shell-env.js';
import { probeAgentVersion, probeClaudeLogin } from './agent-probe.js';

/**
 * Is the default agent ready to run? Its CLI found and answering `--version`, logged in (`claude auth status`,
 * offline), and how the login-shell environment it runs with was obtained. For `beacon doctor`, the snapshot and
 * the tray's health line.
 */
export async function checkAgentHealth(loaded: LoadedConfig, agentEnv: Record<string, string>, env: NodeJS.ProcessEnv, now = new Date()): Promise<AgentHealthView> {
  const resolved = resolveDefaultAgent(loaded, agentEnv);
  const agent = resolved.name;
  const shellReport = await loginShellReport(env);
  const shell = { state: shellReport.state, shell: shellReport.shell, ms: shellReport.ms };
  const base = { agent, path: null, version: null, loggedIn: null, login: null, shell, checkedAt: now.toISOString() };
  if (!resolved.ok) return { ...base, problem: resolved.reason };
  const profile = resolved.profile;
  const version = await probeAgentVersion(resolved.path, agentEnv);
  if (!version.ok) return { ...base, path: resolved.path, problem: version.reason };
  const found = { ...base, path: resolved.path, version: version.version || null };
  if (!isClaudeProfile(profile)) return { ...found, problem: null };
  const login = await probeClaudeLogin(resolved.path, agentEnv);
  return {
    ...found,
    loggedIn: login.loggedIn,
    login: login.detail,
    problem: login.loggedIn === false ? `${agent} is not logged in on this machine: run \`claude\` and /login (or set ANTHROPIC_API_KEY for Beacon)` : null,
  };
}

export interface AgentHealthMonitor {
  current(): AgentHealthView | null;
  refreshNow(): Promise<void>;
  stop(): void;
}

export interface AgentHealthOptions {
  loaded: () => LoadedConfig | null;
  agentEnv: () => Record<string, string>;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  onChange(): void;
  /** Default 10 minutes: a login (or logout) shows within that, or at once after a run failed for it. */
  intervalMs?: number;
}

export function startAgentHealth(options: AgentHealthOptions): AgentHealthMonitor {
  let current: AgentHealthView | null = null;
  let pending: Promise<void> | null = null;
  const refreshNow = (): Promise<void> => {
    const loaded = options.loaded();
    if (!loaded) return Promise.resolve();
    pending ??= checkAgentHealth(loaded, options.agentEnv(), options.env)
      .then((health) => {
        // An agent that is not defined or not found is the executor's standing problem, logged once by it;
        // what only the probes find (a CLI that does not answer, a logged-out CLI) is said here.
        const found = health.path !== null;
        if (found && health.problem && health.problem !== current?.problem) options.logger.warn(health.problem);
        current = health;
        options.onChange();
      })
      .catch((error: unknown) => options.logger.debug('the agent health check failed', { error }))
      .finally(() => (pending = null));
    return pending;
  };
  const timer = setInterval(() => void refreshNow(), options.intervalMs ?? 10 * 60_000);
  timer.unref();
  void refreshNow();
  return { current: () => current, refreshNow, stop: () => clearInterval(timer) };
}
