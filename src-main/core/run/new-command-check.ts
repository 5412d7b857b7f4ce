import { isAbsolute } from 'node:path';
import type { BeaconConfig } from '../config/schema.js';
import { checkWorkingDirectory } from './workdir.js';

/**
 * The up-front checks of a new command, before anything is queued: `beacon enqueue` and the window's New
 * command form both call this one function, so a command this machine would only refuse is never given an
 * id. What the executor checks again before it claims (commands may come from elsewhere) is the same policy.
 *
 * The directory and agent are this machine's to judge when this machine is the one that will run it: the
 * local queue (only this machine reads it), or a command targeted at this machine. An untargeted Supabase
 * command may be run by any machine of the workspace, whose own policy decides.
 */
export interface NewCommandRequest {
  prompt: string;
  workingDirectory: string;
  /** Default: execution.default_agent. */
  agent?: string | null;
  timeoutSeconds?: number | null;
  targetMachineId?: string | null;
}

export interface NewCommandContext {
  config: BeaconConfig;
  configPath: string;
  machineId: string;
  sourceKind: 'local' | 'supabase';
  /** What `~` means in execution.allowed_directories. */
  homeDir: string;
}

export type NewCommandCheck =
  | { ok: true; agent: string; workingDirectory: string; checkedHere: boolean }
  | { ok: false; reason: string };

/** The config's own ceiling for timeouts (execution.default_timeout_seconds). */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

export function checkNewCommand(request: NewCommandRequest, context: NewCommandContext): NewCommandCheck {
  if (!request.prompt.trim()) return { ok: false, reason: 'The prompt is empty' };
  const timeout = request.timeoutSeconds;
  if (timeout != null && (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_SECONDS)) {
    return { ok: false, reason: `The timeout must be a positive number of seconds up to ${MAX_TIMEOUT_SECONDS} (7 days), got ${String(timeout)}` };
  }
  const agent = request.agent?.trim() || context.config.execution.default_agent;
  const dir = request.workingDirectory;
  if (!dir || !isAbsolute(dir)) return { ok: false, reason: `The directory '${dir}' is not an absolute path; give the full path` };

  const target = request.targetMachineId ?? null;
  const checkedHere = context.sourceKind === 'local' || target === context.machineId;
  if (!checkedHere) return { ok: true, agent, workingDirectory: dir, checkedHere };

  if (target && target !== context.machineId) {
    // The local queue is read by this machine only: a command for another machine would wait forever.
    return { ok: false, reason: `The local queue is served by this machine only (${context.machineId}); it cannot hold a command for ${target}` };
  }
  // Own keys only: an agent named "constructor" must not find Object.prototype's members.
  if (!Object.hasOwn(context.config.agents, agent)) {
    const known = Object.keys(context.config.agents).join(', ') || 'none';
    return { ok: false, reason: `Unknown agent "${agent}": this machine's agents are ${known} (${context.configPath}, key agents)` };
  }
  const where = checkWorkingDirectory(dir, context.config.execution.allowed_directories, context.homeDir);
  if (!where.ok) return { ok: false, reason: `Not queued: ${where.reason}` };
  return { ok: true, agent, workingDirectory: dir, checkedHere };
}
