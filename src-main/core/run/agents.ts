import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { PROMPT_PLACEHOLDER, type AgentProfile } from '../config/schema.js';
import { isClaudeProfile } from './agent-flags.js';
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
  const found = findOnPath(command, env.PATH);
  if (found) return { ok: true, path: found };
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
  return {
    ok: false,
    reason: `${who}command '${command}' was not found on PATH (${dirs.join(delimiter) || 'empty'}); set ${key} in beacon.yaml to its absolute path`,
  };
}

export type DefaultAgent =
  | { ok: true; name: string; profile: AgentProfile; path: string }
  | { ok: false; name: string; profile: AgentProfile | null; reason: string };

/**
 * The default agent and where it is, or why it cannot run here: the one lookup behind the executor's standing
 * problem, the agent health check and the settings view. Own keys only (an agent named "constructor").
 */
export function resolveDefaultAgent(loaded: LoadedConfig, env: Record<string, string>): DefaultAgent {
  const name = loaded.config.execution.default_agent;
  const profile = Object.hasOwn(loaded.config.agents, name) ? loaded.config.agents[name]! : null;
  if (!profile) return { ok: false, name, profile, reason: `The default agent "${name}" is not defined under agents in ${loaded.path}` };
  const resolved = resolveAgentCommand(profile, env, name);
  return resolved.ok ? { ok: true, name, profile, path: resolved.path } : { ok: false, name, profile, reason: resolved.reason };
}

/** Why the default agent cannot run here (not defined, or not found), or null: the executor's standing problem. */
export function defaultAgentProblem(loaded: LoadedConfig, env: Record<string, string>): string | null {
  const agent = resolveDefaultAgent(loaded, env);
  return agent.ok ? null : agent.reason;
}

/** The prompt sits last, right after `--`: no option parser can take it (or anything it starts with) for an option. */
export function promptIsAfterDoubleDash(args: readonly string[]): boolean {
  const at = args.indexOf(PROMPT_PLACEHOLDER);
  return at === args.length - 1 && at > 0 && args[at - 1] === '--';
}

/**
 * The profile's args as they will run. A claude profile whose prompt is not last after `--` (a beacon.yaml written
 * before that default, or edited by hand) is corrected: its options stay in order, then `--`, then the prompt.
 */
export function effectiveAgentArgs(profile: AgentProfile): { args: string[]; corrected: boolean } {
  if (!isClaudeProfile(profile) || promptIsAfterDoubleDash(profile.args)) return { args: [...profile.args], corrected: false };
  const options = profile.args.filter((arg) => arg !== PROMPT_PLACEHOLDER && arg !== '--');
  return { args: [...options, '--', PROMPT_PLACEHOLDER], corrected: true };
}

/**
 * argv from the profile: "{prompt}" becomes exactly one element. The command's flags (already checked against the
 * owner's allow-list) go right before the `--` that precedes the prompt, or after the args for an agent whose prompt
 * is not after `--`.
 */
export function buildInvocation(resolvedPath: string, profile: AgentProfile, prompt: string, flags: readonly string[]): AgentInvocation {
  const placeholders = profile.args.filter((arg) => arg === PROMPT_PLACEHOLDER).length;
  if (placeholders !== 1) {
    throw new Error(`agent args must contain "${PROMPT_PLACEHOLDER}" exactly once (found ${placeholders})`);
  }
  if (prompt.includes('\0')) throw new Error('the prompt contains a NUL character, which a process argument cannot carry');
  const { args } = effectiveAgentArgs(profile);
  if (promptIsAfterDoubleDash(args)) {
    const options = args.slice(0, -2);
    return { file: resolvedPath, args: [...options, ...flags, '--', prompt] };
  }
  return { file: resolvedPath, args: [...args.map((arg) => (arg === PROMPT_PLACEHOLDER ? prompt : arg)), ...flags] };
}

/** The first executable file of that name in the absolute folders of a PATH value, or null. */
export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface AgentArgsNote {
  agent: string;
  /** upgraded: beacon.yaml was rewritten during this load; corrected: the argv is fixed at each run. */
  state: 'upgraded' | 'corrected';
  detail: string;
}

/** What `beacon doctor` and the executor's start say about claude profiles whose prompt was not after `--`. */
export function agentArgsNotes(loaded: Pick<LoadedConfig, 'config' | 'path' | 'argsUpgrade'>): AgentArgsNote[] {
  const notes: AgentArgsNote[] = [];
  for (const agent of loaded.argsUpgrade?.upgraded ?? []) {
    notes.push({ agent, state: 'upgraded', detail: `agents.${agent}.args in ${loaded.path} upgraded in place: the prompt now travels after "--" (comments kept)` });
  }
  for (const [agent, profile] of Object.entries(loaded.config.agents)) {
    const { args, corrected } = effectiveAgentArgs(profile);
    if (!corrected) continue;
    const why = loaded.argsUpgrade?.failed ? ` (the file could not be rewritten: ${loaded.argsUpgrade.failed})` : '';
    notes.push({
      agent,
      state: 'corrected',
      detail: `agents.${agent}.args in ${loaded.path} puts the prompt where the CLI could read it as an option${why}; ` +
        `Beacon corrects it at each run to ${JSON.stringify(args)}. Write that list into the file to make it permanent`,
    });
  }
  return notes;
}
