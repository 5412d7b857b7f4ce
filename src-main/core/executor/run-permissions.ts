import type { Command, CommandOutcome } from '../contract/command.js';
import { permissionNote, type PermissionRequestsSummary } from '../contract/permission-request.js';
import { emptyRunSummary } from '../contract/run-summary.js';
import { refusalNote } from '../contract/stream-json/explain.js';
import type { AgentProfile } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { MentuPaths } from '../paths.js';
import type { OpenRun, PermissionRequests } from '../approvals/permission-requests.js';
import { PERMISSION_SOCKET_VARIABLE, PERMISSION_TICKET_VARIABLE } from '../approvals/permission-relay.js';
import { permissionInvocation, type PermissionServerCommand } from '../run/permission-args.js';
import { ownerPolicy } from '../run/permission-policy.js';
import { sandboxSupport } from '../run/sandbox.js';

/**
 * One run under the owner's permission policy: its registration with the live requests (a ticket its permission
 * server presents), the options that put the CLI under the policy, and at the end what the run's outcome records
 * about its requests (the summary, the result's note, a block for the result row's stderr).
 */
export interface RunPermissions {
  profile: AgentProfile;
  flags: string[];
  /** Beacon's options for the CLI (before the command's flags). */
  args: string[];
  /** The run ended: pending requests are void; the outcome gains the requests' record. */
  finish(outcome: CommandOutcome): CommandOutcome;
  /** The run never started (refused before the spawn). */
  abandon(): void;
}

export interface RunPermissionsDeps {
  paths: MentuPaths;
  logger: Logger;
  permissions: PermissionRequests | null;
  server: PermissionServerCommand | null;
  agentEnv: Record<string, string>;
}

export function preparePermissions(deps: RunPermissionsDeps, command: Command, profile: AgentProfile, cwd: string): RunPermissions {
  const flags = command.flags ?? [];
  const owner = ownerPolicy(profile);
  if (!owner) return { profile, flags: [...flags], args: [], finish: (outcome) => outcome, abandon: () => {} };
  const run: OpenRun | null = deps.permissions?.openRun({
    commandId: command.id, workspaceId: command.workspaceId, cwd, denyUnansweredAfterSeconds: owner.denyUnansweredAfterSeconds,
  }) ?? null;
  const server = run ? deps.server : null;
  const invocation = permissionInvocation(profile, flags, {
    mentuHome: deps.paths.home,
    server,
    serverEnv: run ? { [PERMISSION_SOCKET_VARIABLE]: deps.paths.permissionSocket, [PERMISSION_TICKET_VARIABLE]: run.ticket } : {},
    sandbox: sandboxSupport(deps.agentEnv),
  }) as NonNullable<ReturnType<typeof permissionInvocation>>;
  const { policy } = invocation;
  const sandbox = invocation.sandboxed ? 'sandbox on' : `sandbox off${invocation.sandboxNote ? ` (${invocation.sandboxNote})` : ''}`;
  const asking = invocation.asks ? 'requests asked of a person' : policy.mode === 'plan' ? 'nothing runs' : policy.mode === 'bypassPermissions' ? 'NOTHING IS ASKED' : 'no permission server: the CLI refuses what it would ask';
  deps.logger.info(`${command.id}: permission mode ${policy.mode} (${policy.modeFrom}), ${asking}, ${sandbox}`);
  return {
    profile: invocation.profile,
    flags: invocation.flags,
    args: invocation.args,
    finish: (outcome) => {
      run?.close('the command ended before anyone answered');
      const requests = run?.summary() ?? null;
      return requests && requests.asked ? withRequests(outcome, requests) : outcome;
    },
    abandon: () => run?.close('the command did not start'),
  };
}

/** The outcome with its requests: in the summary, in a completed run's note, and as a block of the result's stderr. */
export function withRequests(outcome: CommandOutcome, requests: PermissionRequestsSummary): CommandOutcome {
  const summary = { ...(outcome.summary ?? emptyRunSummary()), permissionRequests: requests };
  const block = requestsBlock(requests);
  const next: CommandOutcome = { ...outcome, summary, stderr: outcome.stderr ? `${outcome.stderr}\n${block}` : block };
  if (outcome.status === 'completed') {
    const notes = [permissionNote(requests), refusalNote(summary)].filter((note): note is string => !!note);
    next.errorMessage = notes.length ? `completed; ${notes.join('; ')}` : null;
  }
  return next;
}

function requestsBlock(requests: PermissionRequestsSummary): string {
  const unanswered = requests.unanswered ? ` (${requests.unanswered} no answer)` : '';
  const lines = [`Permission requests: ${requests.asked} asked, ${requests.allowed} allowed, ${requests.denied} denied${unanswered}`];
  for (const denial of requests.denials) {
    const who = denial.via === 'no_answer' ? 'no answer' : `by ${denial.via}${denial.by ? ` (${denial.by})` : ''}`;
    lines.push(`  denied ${denial.tool} ${denial.summary} — ${who}${denial.message && denial.via !== 'no_answer' ? `: ${denial.message}` : ''}`);
  }
  return lines.join('\n');
}
