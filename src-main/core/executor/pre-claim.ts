import type { Command } from '../contract/command.js';
import { uncheckedDecision } from '../commands/check-guard.js';
import type { PreClaimCheck, PreClaimDecision } from '../commands/source.js';
import type { AgentProfile, BeaconConfig } from '../config/schema.js';
import { checkGenesisExecute } from '../genesis.js';
import { ACTOR } from '../identity.js';
import { resolveAgentCommand } from '../run/agents.js';
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
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
/**
 * The prompt travels as one argv element: Linux refuses any single argument over MAX_ARG_STRLEN (128 KiB,
 * E2BIG inside the pty child, seen only as "exited with code 1"); macOS caps all of argv+env at 1 MiB.
 */
const MAX_PROMPT_ARG_BYTES = process.platform === 'linux' ? 128 * 1024 - 1 : 768 * 1024;
/**
 * All of argv and the environment together: Linux's ARG_MAX is a quarter of the stack limit (2 MiB by
 * default), macOS's 1 MiB; a margin is kept for the launch step's own arguments and the pointers.
 */
const MAX_COMMAND_LINE_BYTES = (process.platform === 'linux' ? 2 * 1024 * 1024 : 1024 * 1024) - 64 * 1024;
const SUPPORTED_TYPES = new Set([null, 'spawn']);

type Runnable = { ok: true; cwd: string; cwdIdentity: string; profile: AgentProfile; agentPath: string } | { ok: false; reason: string };

/** Directory and agent: what the pre-claim check and the post-claim validation share. */
function checkRunnable(command: Command, context: PlanContext): Runnable {
  // Own keys only: an agent named "constructor" or "__proto__" must not find Object.prototype's members.
  const profile = Object.hasOwn(context.config.agents, command.agent) ? context.config.agents[command.agent] : undefined;
  if (!profile) {
    const known = Object.keys(context.config.agents).join(', ') || 'none';
    return { ok: false, reason: `Unknown agent "${command.agent}": this machine's agents are ${known} (${context.configPath}, key agents)` };
  }
  const resolved = resolveAgentCommand(profile, context.agentEnv);
  if (!resolved.ok) return { ok: false, reason: `Agent "${command.agent}" cannot run here: ${resolved.reason}` };
  const dir = checkWorkingDirectory(command.workingDirectory, context.config.execution.allowed_directories, context.homeDir);
  if (!dir.ok) return { ok: false, reason: `Working directory refused: ${dir.reason}` };
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

/**
 * Flags travel as argv elements beside the prompt: one over the per-argument limit, or all of them with the
 * environment over the whole limit, would be refused by the system inside the pty child and seen only as
 * "exited with code 1" after `running` (issue 15, point 8). Refused here, before anything starts.
 */
function commandLineProblem(command: Command, profileArgs: string[], env: Record<string, string>): string | null {
  const flags = command.flags ?? [];
  for (const [index, flag] of flags.entries()) {
    const bytes = Buffer.byteLength(flag, 'utf8');
    if (process.platform === 'linux' && bytes > MAX_PROMPT_ARG_BYTES) {
      return `Flags too long: flag ${index + 1} is ${bytes} bytes, but this system allows at most ${MAX_PROMPT_ARG_BYTES} bytes in one command-line argument; shorten it`;
    }
  }
  const argBytes = [...profileArgs, command.prompt, ...flags].reduce((sum, arg) => sum + Buffer.byteLength(arg, 'utf8') + 1 + 8, 0);
  const envBytes = Object.entries(env).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8') + 2 + 8, 0);
  if (argBytes + envBytes > MAX_COMMAND_LINE_BYTES) {
    return `Command line too long: the prompt and ${flags.length} flag(s) come to ${argBytes} bytes and the environment to ${envBytes}, over this system's limit of ${MAX_COMMAND_LINE_BYTES} bytes; shorten them`;
  }
  return null;
}

function refusedRow(defect: string): string {
  return `Command refused: ${defect}; fix the row or queue the command again`;
}

/** After the claim: everything again, plus the timeout value and genesis (a denial is exit code 403). */
export function planCommand(command: Command, ctx: PlanContext): PlanResult {
  if (command.defect) return { ok: false, reason: refusedRow(command.defect), exitCode: null };
  const runnable = checkRunnable(command, ctx);
  if (!runnable.ok) return { ok: false, reason: runnable.reason, exitCode: null };
  if (command.prompt.includes('\u0000')) {
    return { ok: false, reason: 'Prompt contains a NUL byte, which no program can receive as an argument; remove it', exitCode: null };
  }
  const promptBytes = Buffer.byteLength(command.prompt, 'utf8');
  if (promptBytes > MAX_PROMPT_ARG_BYTES) {
    return {
      ok: false,
      reason: `Prompt too long: ${promptBytes} bytes, but the agent receives it as one command-line argument and this system allows at most ${MAX_PROMPT_ARG_BYTES} bytes; shorten it or put the details in a file in the working directory`,
      exitCode: null,
    };
  }
  const tooLong = commandLineProblem(command, runnable.profile.args, ctx.agentEnv);
  if (tooLong) return { ok: false, reason: tooLong, exitCode: null };
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
