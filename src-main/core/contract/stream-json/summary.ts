import { isObject, num, parseJsonLine, str, type Json } from './json.js';
import { emptyRunSummary, type PermissionDenial, type RunSummary } from '../run-summary.js';
import { stripAnsi } from '../ansi-stripper.js';

/**
 * Builds a RunSummary from Claude's `--output-format stream-json` lines (claude-cli.md): system/init
 * (session id, model, CLI version, cwd), api_retry lines, assistant messages (text, tool_use blocks) and the
 * final result (cost, duration, turns, is_error, errors, api_error_status, permission_denials). Lines that are
 * not a JSON object with a `type` are ignored, except that the last plain line reading as an error (what the
 * CLI prints for a bad option, before any JSON) is kept: explain.ts turns all this into a reason.
 */

const ASSISTANT_TEXT_LIMIT = 16 * 1024;
const TOOL_USE_LIMIT = 500;
const DENIALS_KEPT = 50;
const DENIAL_TARGET_LIMIT = 200;
const RESULT_TEXT_LIMIT = 64 * 1024;
const PLAIN_TAIL_CHARS = 4096;
const ERROR_LINE_LIMIT = 500;
const ERROR_LINE = /\berror\b|unknown option|not logged in|please run \/login|invalid api key/i;


export interface LineOutcome {
  /** The summary changed. */
  changed: boolean;
  /** This line was the `result` line: the run is over. */
  isResult: boolean;
}

export class StreamJsonSummary {
  private state: RunSummary = emptyRunSummary();
  private plainTail = '';

  get summary(): RunSummary {
    return {
      ...this.state,
      toolUses: [...this.state.toolUses],
      permissionDenials: [...(this.state.permissionDenials ?? [])],
      lastErrorLine: lastErrorLine(this.plainTail),
    };
  }

  ingestLine(line: string): LineOutcome {
    const event = parseJsonLine(line);
    if (!event) return { changed: false, isResult: false };
    switch (event.type) {
      case 'system':
        if (event.subtype === 'init') return { changed: this.onInit(event), isResult: false };
        if (event.subtype === 'api_retry') return { changed: this.onApiRetry(event), isResult: false };
        return { changed: false, isResult: false };
      case 'assistant':
        return { changed: this.onAssistant(event), isResult: false };
      case 'result':
        this.onResult(event);
        return { changed: true, isResult: true };
      default:
        return { changed: false, isResult: false };
    }
  }

  /**
   * The text of the run as shown (ANSI stripped), JSON lines included: its last few KB are kept so that the last
   * plain error line can be reported when the CLI fails before (or without) a result line. Never a summary change.
   */
  notePlainText(text: string): void {
    if (text.length >= PLAIN_TAIL_CHARS) this.plainTail = text.slice(-PLAIN_TAIL_CHARS);
    else {
      this.plainTail += text;
      if (this.plainTail.length > PLAIN_TAIL_CHARS * 2) this.plainTail = this.plainTail.slice(-PLAIN_TAIL_CHARS);
    }
  }

  private onInit(event: Json): boolean {
    this.state.sessionId = str(event.session_id) ?? this.state.sessionId;
    this.state.model = str(event.model) ?? this.state.model;
    this.state.cliVersion = str(event.claude_code_version) ?? this.state.cliVersion;
    this.state.cwd = str(event.cwd) ?? this.state.cwd ?? null;
    return true;
  }

  private onApiRetry(event: Json): boolean {
    this.state.apiErrorStatus = num(event.error_status) ?? this.state.apiErrorStatus ?? null;
    this.state.apiError = str(event.error) ?? this.state.apiError ?? null;
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
    // The CLI marks an assistant message it synthesised from an API failure with `error` (e.g. authentication_failed).
    if (typeof event.error === 'string') {
      this.state.apiError = event.error;
      changed = true;
    }
    return changed;
  }

  private onResult(event: Json): void {
    const s = this.state;
    s.resultSubtype = str(event.subtype);
    s.isError = typeof event.is_error === 'boolean' ? event.is_error : s.resultSubtype !== null && s.resultSubtype !== 'success';
    s.costUsd = num(event.total_cost_usd);
    s.durationMs = num(event.duration_ms);
    s.numTurns = num(event.num_turns);
    s.sessionId = str(event.session_id) ?? s.sessionId;
    s.apiErrorStatus = num(event.api_error_status) ?? s.apiErrorStatus ?? null;
    if (isObject(event.usage)) {
      const u = event.usage;
      const input = [u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens].map(num);
      s.inputTokens = input.some((n) => n !== null) ? input.reduce<number>((sum, n) => sum + (n ?? 0), 0) : null;
      s.outputTokens = num(u.output_tokens);
    }
    const result = str(event.result);
    const errors = Array.isArray(event.errors) ? event.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') : null;
    s.resultText = !s.isError && result !== null ? bound(result) : null;
    if (s.isError) s.errorText = bound([errors, result].filter((t): t is string => !!t).join('\n') || `the agent ended with ${s.resultSubtype ?? 'an error'}`);
    if (Array.isArray(event.permission_denials)) {
      s.permissionDenialCount = event.permission_denials.length;
      s.permissionDenials = event.permission_denials.slice(0, DENIALS_KEPT).filter(isObject).map(denialOf);
    }
  }
}

function denialOf(denial: Json): PermissionDenial {
  const tool = str(denial.tool_name) ?? 'a tool';
  const input = isObject(denial.tool_input) ? denial.tool_input : {};
  const target = ['file_path', 'notebook_path', 'command', 'url', 'path', 'pattern'].map((key) => str(input[key])).find((v) => v) ?? null;
  const flat = target?.replace(/\s+/g, ' ').trim() ?? null;
  const toolUseId = str(denial.tool_use_id);
  return { tool, target: flat && flat.length > DENIAL_TARGET_LIMIT ? `${flat.slice(0, DENIAL_TARGET_LIMIT - 1)}…` : flat, ...(toolUseId ? { toolUseId } : {}) };
}

function lastErrorLine(tail: string): string | null {
  const lines = tail.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('{') || !ERROR_LINE.test(line)) continue;
    return line.length > ERROR_LINE_LIMIT ? `${line.slice(0, ERROR_LINE_LIMIT - 1)}…` : line;
  }
  return null;
}


function bound(text: string): string {
  return text.length > RESULT_TEXT_LIMIT ? text.slice(0, RESULT_TEXT_LIMIT) + '…' : text;
}
