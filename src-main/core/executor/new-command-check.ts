import { isAbsolute } from 'node:path';
import { checkRunnable, MAX_TIMEOUT_SECONDS, promptProblem, type PlanContext } from './pre-claim.js';

/**
 * The up-front checks of a new command, before anything is queued: `beacon enqueue` and the window's New
 * command form both call this one function, and it is the executor's own check (checkRunnable: agent, its
 * path, the flags' allow-list, the allowed directories), so a command this machine would only refuse is never
 * given an id. The executor checks again before it claims (commands may come from elsewhere).
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
  flags?: string[];
  timeoutSeconds?: number | null;
  targetMachineId?: string | null;
}

export type NewCommandCheck =
  | { ok: true; agent: string; workingDirectory: string; checkedHere: boolean }
  | { ok: false; reason: string };

/** Every refusal reads "Not queued: …", the same in the CLI and the window. */
export function checkNewCommand(request: NewCommandRequest, context: PlanContext): NewCommandCheck {
  const check = judge(request, context);
  return check.ok ? check : { ok: false, reason: `Not queued: ${lowerFirst(check.reason)}` };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function judge(request: NewCommandRequest, context: PlanContext): NewCommandCheck {
  const prompt = promptProblem(request.prompt);
  if (prompt) return { ok: false, reason: prompt };
  const timeout = request.timeoutSeconds;
  if (timeout != null && (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_SECONDS)) {
    return { ok: false, reason: `The timeout must be a positive number of seconds up to ${MAX_TIMEOUT_SECONDS} (7 days), got ${String(timeout)}` };
  }
  const agent = request.agent?.trim() || context.config.execution.default_agent;
  const dir = request.workingDirectory;
  if (!dir || !isAbsolute(dir)) return { ok: false, reason: `The directory '${dir}' is not an absolute path; give the full path` };

  const target = request.targetMachineId ?? null;
  if (context.sourceKind === 'local' && target && target !== context.machineId) {
    // The local queue is read by this machine only: a command for another machine would wait forever.
    return { ok: false, reason: `The local queue is served by this machine only (${context.machineId}); it cannot hold a command for ${target}` };
  }
  const checkedHere = context.sourceKind === 'local' || target === context.machineId;
  if (!checkedHere) return { ok: true, agent, workingDirectory: dir, checkedHere };
  const runnable = checkRunnable({ agent, flags: request.flags ?? [], workingDirectory: dir }, context);
  return runnable.ok ? { ok: true, agent, workingDirectory: dir, checkedHere } : { ok: false, reason: runnable.detail ?? runnable.reason };
}
