import type { RunSummary } from '../run-summary.js';

/**
 * A run's outcome in words: a failure carries the CLI's own reason (the result's errors, an is_error result text,
 * or the last plain error line), with the known cases named and what to do; a finished run that had tool uses
 * refused says so.
 */

export const NOT_LOGGED_IN = 'Claude is not logged in on this machine, or its key was refused: log in again (run `claude` and /login, or check ANTHROPIC_API_KEY)';

export type FailureKind = 'not_logged_in' | 'rate_limited' | 'overloaded' | 'max_turns' | 'max_budget' | 'unknown_option';

const AUTH = /not logged in|please run \/login|invalid api key|failed to authenticate|authentication_error|authentication_failed|oauth token (has expired|revoked)/i;
const RATE = /\brate[ _-]?limit|\(429\)|\b429\b/i;
const OVERLOADED = /overloaded|\b529\b/i;
const OPTION = /unknown option|error: option '|error: too many arguments|error: missing required argument/i;

export function failureKind(summary: RunSummary | null, ownReason: string | null): FailureKind | null {
  const status = summary?.apiErrorStatus ?? null;
  const apiError = summary?.apiError ?? '';
  const text = `${ownReason ?? ''} ${apiError}`;
  if (summary?.resultSubtype === 'error_max_turns') return 'max_turns';
  if (summary?.resultSubtype === 'error_max_budget_usd') return 'max_budget';
  if (status === 401 || AUTH.test(text)) return 'not_logged_in';
  if (status === 529 || OVERLOADED.test(text)) return 'overloaded';
  if (status === 429 || RATE.test(text)) return 'rate_limited';
  if (OPTION.test(text)) return 'unknown_option';
  return null;
}

/** The CLI's own words: the result's reason, else the last plain line that read as an error. */
export function ownReason(summary: RunSummary | null): string | null {
  return summary?.errorText ?? summary?.lastErrorLine ?? null;
}

/** The error message of a run that failed on its own (not stopped by Beacon). */
export function explainFailure(summary: RunSummary | null, exitCode: number | null, signal: string | null): string {
  const own = ownReason(summary);
  const said = own ? ` The CLI said: ${own}` : '';
  switch (failureKind(summary, own)) {
    case 'not_logged_in':
      return `${NOT_LOGGED_IN}.${said}`;
    case 'rate_limited':
      return `Rate limited by the model API: try again later.${said}`;
    case 'overloaded':
      return `The model API is overloaded: try again later.${said}`;
    case 'max_turns':
      return `Stopped at the turn limit (--max-turns): raise it or split the task.${said}`;
    case 'max_budget':
      return `Stopped at the budget limit (--max-budget-usd): raise it or split the task.${said}`;
    case 'unknown_option':
      return `The agent refused an option: check agents.<name>.args in beacon.yaml and the command's flags.${said}`;
    case null:
      if (own) return own;
      if (exitCode === null) return `The agent was killed by ${signal ?? 'a signal'}`;
      return `The agent exited with code ${exitCode}`;
  }
}

const DENIALS_LISTED = 5;

/**
 * "3 tool uses were refused: Write /path, Bash rm -rf x, …", or null when none were. Tool uses denied through one of
 * Beacon's permission requests are left out: permissionNote (contract/permission-request.ts) tells those.
 */
export function refusalNote(summary: RunSummary | null): string | null {
  const asked = new Set((summary?.permissionRequests?.denials ?? []).map((denial) => denial.toolUseId).filter(Boolean));
  const all = summary?.permissionDenials ?? [];
  const others = all.filter((denial) => !denial.toolUseId || !asked.has(denial.toolUseId));
  const count = (summary?.permissionDenialCount ?? all.length) - (all.length - others.length);
  if (count <= 0) return null;
  const listed = others.slice(0, DENIALS_LISTED).map((d) => (d.target ? `${d.tool} ${d.target}` : d.tool));
  const more = count > listed.length ? `, and ${count - listed.length} more` : '';
  return `${count} tool use${count === 1 ? ' was' : 's were'} refused: ${listed.join(', ')}${more}`;
}
