import type { PermissionRequestsSummary } from './permission-request.js';

/** What the stream-json parser learned about a run: session, model, tools, cost, turns, outcome. */
export interface RunSummary {
  sessionId: string | null;
  model: string | null;
  cliVersion: string | null;
  /** Final result text (success only). */
  resultText: string | null;
  /** Assistant text seen during the run, bounded. */
  assistantText: string | null;
  toolUses: { id: string | null; name: string }[];
  costUsd: number | null;
  durationMs: number | null;
  numTurns: number | null;
  isError: boolean | null;
  /** The CLI's own reason from the result line: its `errors`, or its text when `is_error`. */
  errorText: string | null;
  /** `result` line subtype, e.g. success, error_max_turns. */
  resultSubtype: string | null;
  /*
   * Fields below were added later: a summary stored by an older Beacon lacks them, so readers default them.
   */
  /** The real working directory the CLI reported (system/init): where a follow-up must run to find the session. */
  cwd?: string | null;
  /** HTTP status of the model API's last error (result `api_error_status`, or an `api_retry` line). */
  apiErrorStatus?: number | null;
  /** The CLI's name for the last API error (`authentication_failed`, `overloaded`, `rate_limit`, …). */
  apiError?: string | null;
  /** Tool uses the CLI refused (result `permission_denials`), bounded; the count is exact. */
  permissionDenials?: PermissionDenial[];
  permissionDenialCount?: number;
  /** The last line of plain (non-JSON) output that reads as an error, e.g. "error: unknown option '-x'". */
  lastErrorLine?: string | null;
  /** Tokens of the whole run (result `usage`): input includes cache reads and writes. */
  inputTokens?: number | null;
  outputTokens?: number | null;
  /** The run's permission requests (asked of a person through Beacon): counts and the denied ones. */
  permissionRequests?: PermissionRequestsSummary | null;
}

export interface PermissionDenial {
  tool: string;
  /** What it was aimed at: the file, the command, the URL (bounded), or null. */
  target: string | null;
  /** The CLI's tool use id (matches a permission request's). */
  toolUseId?: string;
}

export function emptyRunSummary(): RunSummary {
  return {
    sessionId: null,
    model: null,
    cliVersion: null,
    resultText: null,
    assistantText: null,
    toolUses: [],
    costUsd: null,
    durationMs: null,
    numTurns: null,
    isError: null,
    errorText: null,
    resultSubtype: null,
    cwd: null,
    apiErrorStatus: null,
    apiError: null,
    permissionDenials: [],
    permissionDenialCount: 0,
    lastErrorLine: null,
    inputTokens: null,
    outputTokens: null,
    permissionRequests: null,
  };
}

/**
 * A run summary as stored (a JSON text in the local queue, a jsonb value in Mentu): anything unreadable is simply
 * no summary, since it is display and follow-up information only, never a reason to refuse a row.
 */
export function readStoredRunSummary(stored: unknown): RunSummary | null {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored) as unknown;
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const summary = value as Partial<RunSummary>;
  // The one field a follow-up relies on must have its type; the rest are read defensively by the views.
  if (summary.sessionId != null && typeof summary.sessionId !== 'string') return null;
  return { ...emptyRunSummary(), ...summary };
}
