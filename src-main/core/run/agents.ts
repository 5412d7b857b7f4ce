import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { PROMPT_PLACEHOLDER, type AgentProfile } from '../config/schema.js';
import type { AgentInvocation } from './runner.js';

export type AgentResolution = { ok: true; path: string } | { ok: false; reason: string };

/**
 * An absolute `command` is used as is (must be executable); a bare name is looked up on env.PATH.
 * `agentName` (optional) names the agent in the reason, so the user knows which beacon.yaml key to fix.
 */
export function resolveAgentCommand(profile: AgentProfile, env: Record<string, string>, agentName?: string): AgentResolution {
  const command = profile.command;
  const who = agentName ? `agent '${agentName}': ` : '';
  const key = agentName ? `agents.${agentName}.command` : 'the agent\'s command';
  if (isAbsolute(command)) {
    if (isExecutableFile(command)) return { ok: true, path: command };
    return { ok: false, reason: `${who}command '${command}' does not exist or is not an executable file; fix ${key} in beacon.yaml` };
  }
  if (command.includes('/')) {
    return { ok: false, reason: `${who}command '${command}' is a relative path; set ${key} in beacon.yaml to a bare name on PATH or an absolute path` };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
  for (const dir of dirs) {
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return { ok: true, path: candidate };
  }
  return {
    ok: false,
    reason: `${who}command '${command}' was not found on PATH (${dirs.join(delimiter) || 'empty'}); set ${key} in beacon.yaml to its absolute path`,
  };
}

/** Why the default agent cannot run here (not defined, or not found), or null: the executor's standing problem. */
export function defaultAgentProblem(loaded: LoadedConfig, env: Record<string, string>): string | null {
  const name = loaded.config.execution.default_agent;
  const profile = Object.hasOwn(loaded.config.agents, name) ? loaded.config.agents[name] : undefined;
  if (!profile) return `The default agent "${name}" is not defined under agents in ${loaded.path}`;
  const resolved = resolveAgentCommand(profile, env);
  return resolved.ok ? null : `Agent "${name}" cannot run: ${resolved.reason}`;
}

/** argv from the profile: "{prompt}" becomes exactly one element; the command's flags are appended. */
export function buildInvocation(resolvedPath: string, profile: AgentProfile, prompt: string, flags: string[]): AgentInvocation {
  const placeholders = profile.args.filter((arg) => arg === PROMPT_PLACEHOLDER).length;
  if (placeholders !== 1) {
    throw new Error(`agent args must contain "${PROMPT_PLACEHOLDER}" exactly once (found ${placeholders})`);
  }
  if (prompt.includes('\0')) throw new Error('the prompt contains a NUL character, which a process argument cannot carry');
  const args = profile.args.map((arg) => (arg === PROMPT_PLACEHOLDER ? prompt : arg));
  return { file: resolvedPath, args: [...args, ...flags] };
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
