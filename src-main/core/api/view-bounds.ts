import type { RunSummary } from '../contract/run-summary.js';
import { VIEW_TEXT_CHARS, type BeaconEvent, type CommandView } from '../contract/types.js';

/**
 * What a view may weigh (issue 15, point 4). One 10 MB prompt once made every snapshot 11.8 MB, sent to
 * every client on every change: prompts, errors and summary texts are cut to VIEW_TEXT_CHARS (the whole
 * text on demand: readCommandText), a snapshot's commands stop at SNAPSHOT_BUDGET_BYTES, notices are cut.
 */
const SNAPSHOT_BUDGET_BYTES = 1024 * 1024;

function cut(text: string, limit = VIEW_TEXT_CHARS): { text: string; cut: boolean } {
  return text.length <= limit ? { text, cut: false } : { text: `${text.slice(0, limit)}…`, cut: true };
}

/** The view's prompt and error, bounded; the flags say where something was left out. */
export function boundedText(prompt: string, errorMessage: string | null): Pick<CommandView, 'prompt' | 'errorMessage' | 'promptTruncated' | 'errorTruncated'> {
  const p = cut(prompt);
  const e = errorMessage === null ? null : cut(errorMessage);
  return { prompt: p.text, promptTruncated: p.cut, errorMessage: e ? e.text : null, errorTruncated: e?.cut ?? false };
}

/** A run summary for a view: its free texts bounded, the tool list bounded (the log holds everything). */
export function boundedSummary(summary: RunSummary | null): RunSummary | null {
  if (!summary) return null;
  const text = (value: string | null): string | null => (value === null ? null : cut(value).text);
  return {
    ...summary,
    resultText: text(summary.resultText),
    assistantText: text(summary.assistantText),
    errorText: text(summary.errorText),
    toolUses: summary.toolUses.slice(0, 200),
  };
}

/** As many commands as fit the budget, in order (running ones come first, so they stay). */
export function withinBudget(commands: CommandView[], budget = SNAPSHOT_BUDGET_BYTES): CommandView[] {
  let used = 0;
  const kept: CommandView[] = [];
  for (const command of commands) {
    used += Buffer.byteLength(JSON.stringify(command), 'utf8');
    if (used > budget && kept.length > 0) break;
    kept.push(command);
  }
  return kept;
}

export function boundedNotice(event: Extract<BeaconEvent, { type: 'notice' }>): BeaconEvent {
  return { ...event, message: cut(event.message).text };
}
