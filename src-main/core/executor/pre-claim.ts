import type { Command } from '../contract/command.js';
import { uncheckedDecision } from '../commands/check-guard.js';
import type { PreClaimCheck, PreClaimDecision } from '../commands/source.js';
import type { AgentProfile, BeaconConfig } from '../config/schema.js';
import { checkGenesisExecute } from '../genesis.js';
import { ACTOR } from '../identity.js';
import { resolveAgentCommand } from '../run/agents.js';
import { checkCommandFlags } from '../run/agent-flags.js';
import { checkWorkingDirectory } from '../run/workdir.js';

/**
 * Can this machine run a command? The same checks serve twice: before claiming (so nothing is claimed
 * that would fail for local reasons, docs/mentu-schema.md#claiming) and again after the claim, just before spawning
 * (the directory may have vanished meanwhile), where the timeout and genesis are checked too.
 */
export interface PlanContext {
  config: BeaconConfig;
  configPath: string;
  machineId: string;
  sourceKind: 'local' | 'supabase';
  /** The login-shell environment the agent will get (its PATH resolves bare agent names). */
  agentEnv: Record<string, string>;
  homeDir: string;
}

export interface CommandPlan {
  cwd: string;
  /** "dev:ino" of `cwd` as checked: the agent starts only in exactly this directory. */
  cwdIdentity: string;
  profile: AgentProfile;
  agentPath: string;
  timeoutSeconds: number;
}

export type PlanResult = { ok: true; plan: CommandPlan } | { ok: false; reason: string; exitCode: number | null };

/** The largest timeout we accept (the config's own ceiling): anything above is a mistake, not a wish. */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
const SUPPORTED_TYPES = new Set([null, 'spawn']);

/** `detail`: the reason without its heading, for a caller that words its own ("Not queued: …"). */
type Runnable =
  | { ok: true; cwd: string; cwdIdentity: string; profile: AgentProfile; agentPath: string }
  | { ok: false; reason: string; detail?: string };

/** What the executor checks of every command it may run: the agent, its flags, the working directory. */
export function checkRunnable(command: Pick<Command, 'agent' | 'flags' | 'workingDirectory'>, context: PlanContext): Runnable {
  // Own keys only: an agent named "constructor" or "__proto__" must not find Object.prototype's members.
  const profile = Object.hasOwn(context.config.agents, command.agent) ? context.config.agents[command.agent] : undefined;
  if (!profile) {
    const known = Object.keys(context.config.agents).join(', ') || 'none';
    return { ok: false, reason: `Unknown agent "${command.agent}": this machine's agents are ${known} (${context.configPath}, key agents)` };
  }
  const resolved = resolveAgentCommand(profile, context.agentEnv);
  if (!resolved.ok) return { ok: false, reason: `Agent "${command.agent}" cannot run here: ${resolved.reason}` };
  const flags = checkCommandFlags(command.flags ?? [], profile, command.agent);
  if (!flags.ok) return { ok: false, reason: flags.reason };
  const dir = checkWorkingDirectory(command.workingDirectory, context.config.execution.allowed_directories, context.homeDir);
  if (!dir.ok) return { ok: false, reason: `Working directory refused: ${dir.reason}`, detail: dir.reason };
  return { ok: true, cwd: dir.realPath, cwdIdentity: dir.identity, profile, agentPath: resolved.path };
}

/** The PreClaimCheck handed to source.claimNext. `isHandled` is the in-memory guard (docs/mentu-schema.md#bug-double-run). */
export function createPreClaimCheck(context: () => PlanContext, isHandled: (id: string) => boolean): PreClaimCheck {
  return (command: Command): PreClaimDecision => {
    const ctx = context();
    if (isHandled(command.id)) return { ok: false, reason: 'already handled by this executor', claimAndFail: false };
    const target = command.targetMachineId;
    if (target && target !== ctx.machineId) return { ok: false, reason: `targeted at ${target}`, claimAndFail: false };
    // Ours alone to serve: targeted at this machine, or in the local queue that only this machine reads.
    const ours = target === ctx.machineId || ctx.sourceKind === 'local';
    try {
      return decide(command, ctx, ours);
    } catch (error) {
      // A malformed row must cost only itself, never the round (docs/reliability.md).
      return uncheckedDecision(error, ours);
    }
  };
}

/** The checks proper, for a command that is for this machine (untargeted or targeted at it). */
function decide(command: Command, ctx: PlanContext, ours: boolean): PreClaimDecision {
  // A column of the wrong type: nothing else about the row can be trusted (docs/reliability.md).
  if (command.defect) return { ok: false, reason: refusedRow(command.defect), claimAndFail: ours, unchecked: true };
  if (!SUPPORTED_TYPES.has(command.commandType)) {
    const reason = `command_type "${command.commandType}" is not supported by Beacon (it belongs to the Bridge's bug executor)`;
    return { ok: false, reason, claimAndFail: ours };
  }
  const runnable = checkRunnable(command, ctx);
  if (!runnable.ok) return { ok: false, reason: runnable.reason, claimAndFail: ours };
  return { ok: true };
}

/** A row with a column of the wrong type (Command.defect): refused with the column named, never run. */
function refusedRow(defect: string): string {
  return `Command refused: ${defect}; fix the row or queue the command again`;
}

/** After the claim: everything again, plus the timeout value and genesis (a denial is exit code 403). */
export function planCommand(command: Command, ctx: PlanContext): PlanResult {
  if (command.defect) return { ok: false, reason: refusedRow(command.defect), exitCode: null };
  const runnable = checkRunnable(command, ctx);
  if (!runnable.ok) return { ok: false, reason: runnable.reason, exitCode: null };
  const prompt = promptProblem(command.prompt);
  if (prompt) return { ok: false, reason: prompt, exitCode: null };
  const timeoutSeconds = command.timeoutSeconds ?? ctx.config.execution.default_timeout_seconds;
  if (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    return {
      ok: false,
      reason: `Invalid timeout_seconds ${String(timeoutSeconds)}: expected a positive number of seconds up to ${MAX_TIMEOUT_SECONDS}`,
      exitCode: null,
    };
  }
  const genesis = checkGenesisExecute(runnable.cwd, ACTOR);
  if (!genesis.allowed) return { ok: false, reason: genesis.reason, exitCode: 403 };
  return { ok: true, plan: { cwd: runnable.cwd, cwdIdentity: runnable.cwdIdentity, profile: runnable.profile, agentPath: runnable.agentPath, timeoutSeconds } };
}

/** What no agent can be given: a NUL byte (no argv element can hold one), or nothing but whitespace. */
export function promptProblem(prompt: string): string | null {
  if (prompt.includes('\u0000')) return 'Prompt contains a NUL byte, which no program can receive as an argument; remove it';
  // claude -p exits 0 at once, without a word, for a prompt of only whitespace: it would read "completed".
  if (!prompt.trim()) return 'The prompt is empty (only whitespace): there is nothing for the agent to do';
  return null;
}
