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
  /** Error text from the result line (error subtypes) or an auth failure. */
  errorText: string | null;
  /** `result` line subtype, e.g. success, error_max_turns. */
  resultSubtype: string | null;
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
  };
}
