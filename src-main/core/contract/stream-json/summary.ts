import { isObject, num, parseJsonLine, str, type Json } from './json.js';
import { emptyRunSummary, type RunSummary } from '../run-summary.js';
import { stripAnsi } from '../ansi-stripper.js';

/**
 * Builds a RunSummary from Claude's `--output-format stream-json` lines (the SDKMessage shapes of @anthropic-ai/claude-agent-sdk): system/init
 * (session id, model, CLI version), assistant messages (text, tool_use blocks) and the final result
 * (cost, duration, turns, is_error, errors). Lines that are not a JSON object with a `type` are ignored,
 * except that a short plain line announcing an authentication failure (what the CLI prints before any
 * JSON when it is logged out) is recognised by notePlainText.
 */
export const NOT_LOGGED_IN = 'Claude is not logged in on this machine: log in again (run `claude` and /login)';

const ASSISTANT_TEXT_LIMIT = 16 * 1024;
const PLAIN_TEXT_CHECKED = 64 * 1024;
const TOOL_USE_LIMIT = 500;
const RESULT_TEXT_LIMIT = 64 * 1024;

const AUTH_FAILURE = /authentication_error|authentication_failed|invalid api key|please run \/login|oauth token has expired|\b401\b/i;
const AUTH_FAILURE_PLAIN = /authentication_error|invalid api key|please run \/login|oauth token has expired/i;


export interface LineOutcome {
  /** The summary changed. */
  changed: boolean;
  /** This line was the `result` line: the run is over. */
  isResult: boolean;
}

export class StreamJsonSummary {
  private state: RunSummary = emptyRunSummary();
  private sawResult = false;
  private sawJson = false;
  private plainTextChecked = 0;
  private plainTail = '';

  get summary(): RunSummary {
    return { ...this.state, toolUses: [...this.state.toolUses] };
  }

  ingestLine(line: string): LineOutcome {
    const event = parseJsonLine(line);
    if (!event) return { changed: false, isResult: false };
    this.sawJson = true;
    switch (event.type) {
      case 'system':
        return { changed: event.subtype === 'init' && this.onInit(event), isResult: false };
      case 'assistant':
        return { changed: this.onAssistant(event), isResult: false };
      case 'result':
        this.onResult(event);
        return { changed: true, isResult: true };
      default:
        return { changed: false, isResult: false };
    }
  }

  private onInit(event: Json): boolean {
    this.state.sessionId = str(event.session_id) ?? this.state.sessionId;
    this.state.model = str(event.model) ?? this.state.model;
    this.state.cliVersion = str(event.claude_code_version) ?? this.state.cliVersion;
    return true;
  }

  private onAssistant(event: Json): boolean {
    const message = isObject(event.message) ? event.message : null;
    const content = message && Array.isArray(message.content) ? message.content : [];
    let changed = false;
    const texts: string[] = [];
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === 'text' && typeof block.text === 'string') texts.push(stripAnsi(block.text)); // shown as plain text
      if (block.type === 'tool_use' && typeof block.name === 'string' && this.state.toolUses.length < TOOL_USE_LIMIT) {
        this.state.toolUses.push({ id: str(block.id), name: block.name });
        changed = true;
      }
    }
    if (texts.length) {
      const joined = [this.state.assistantText, ...texts].filter((t) => t).join('\n');
      this.state.assistantText = joined.length > ASSISTANT_TEXT_LIMIT ? joined.slice(joined.length - ASSISTANT_TEXT_LIMIT) : joined;
      changed = true;
    }
    // The CLI marks an assistant message it synthesised from an API failure with `error`.
    if (event.error !== undefined && AUTH_FAILURE.test(`${String(event.error)} ${texts.join(' ')}`)) {
      this.state.errorText = NOT_LOGGED_IN;
      changed = true;
    }
    return changed;
  }

  private onResult(event: Json): void {
    this.sawResult = true;
    const s = this.state;
    s.resultSubtype = str(event.subtype);
    s.isError = typeof event.is_error === 'boolean' ? event.is_error : s.resultSubtype !== null && s.resultSubtype !== 'success';
    s.costUsd = num(event.total_cost_usd);
    s.durationMs = num(event.duration_ms);
    s.numTurns = num(event.num_turns);
    s.sessionId = str(event.session_id) ?? s.sessionId;
    const result = str(event.result);
    const errors = Array.isArray(event.errors) ? event.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') : null;
    s.resultText = !s.isError && result !== null ? bound(result) : null;
    if (s.isError) {
      const errorText = [errors, result].filter((t): t is string => !!t).join('\n') || `the agent ended with ${s.resultSubtype ?? 'an error'}`;
      s.errorText = AUTH_FAILURE.test(errorText) ? NOT_LOGGED_IN : bound(errorText);
    }
  }

  /**
   * Plain (non-JSON) output: the CLI prints a logged-out error as text before any JSON (after that,
   * the JSON result says it). Only the first PLAIN_TEXT_CHECKED characters are looked at, so a flood costs nothing and an agent that
   * merely talks about logging in much later is not misread. True when the summary changed.
   */
  notePlainText(text: string): boolean {
    if (this.sawJson || this.plainTextChecked >= PLAIN_TEXT_CHECKED || this.state.errorText === NOT_LOGGED_IN) return false;
    const window = (this.plainTail + text).slice(-(PLAIN_TEXT_CHECKED - this.plainTextChecked + 200));
    this.plainTextChecked += text.length;
    this.plainTail = window.slice(-200); // a phrase split across two chunks is still found
    if (!AUTH_FAILURE_PLAIN.test(window)) return false;
    this.state.errorText = NOT_LOGGED_IN;
    return true;
  }
}


function bound(text: string): string {
  return text.length > RESULT_TEXT_LIMIT ? text.slice(0, RESULT_TEXT_LIMIT) + '…' : text;
}
