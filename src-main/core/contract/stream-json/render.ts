import { stripAnsi } from '../ansi-stripper.js';
import { isObject, num, parseJsonLine, str, type Json } from './json.js';

/**
 * Readable text for Claude's `--output-format stream-json` lines (the SDKMessage shapes of @anthropic-ai/claude-agent-sdk), wherever a person reads
 * an agent's output: the terminal view, `beacon logs`, spawn_logs and the result row's stdout tail. The raw
 * log is never rewritten; this only changes what is shown. Pure (no Node imports): the renderer uses it too.
 *
 * - `plain`: no escapes at all (database sinks); ANSI in the agent's own text is removed.
 * - `ansi`: bold/dim/colours for a terminal; the agent's own text keeps its escapes.
 *
 * `stream_event` partials (--include-partial-messages) render as nothing: the complete assistant message
 * follows each of them, and showing both would print every text twice.
 */
export type RenderFlavour = 'plain' | 'ansi';

/** The longest one-line summary of a tool call or a tool result, in characters (code points). */
export const SUMMARY_LIMIT = 120;
const ERRORS_LIMIT = 300;

/**
 * The readable lines of one stream-json line (no line endings), [] for an event that shows nothing
 * (partials), or null when the line is not a stream-json event this knows: the caller shows it unchanged.
 */
export function renderStreamJsonLine(line: string, flavour: RenderFlavour): string[] | null {
  const event = parseJsonLine(line);
  return event ? renderStreamJsonEvent(event, flavour) : null;
}

/** As renderStreamJsonLine, for an event already parsed. */
export function renderStreamJsonEvent(event: Json, flavour: RenderFlavour): string[] | null {
  const style = flavour === 'ansi' ? ANSI : PLAIN;
  switch (event.type) {
    case 'system':
      return [renderSystem(event, style)];
    case 'assistant':
      return renderAssistant(event, flavour, style);
    case 'user':
      return renderToolResults(event, style);
    case 'stream_event':
      return [];
    case 'result':
      return [renderResult(event, style)];
    default:
      return null;
  }
}

interface Style {
  bold(text: string): string;
  dim(text: string): string;
  ok(text: string): string;
  error(text: string): string;
  tool(text: string): string;
}

const sgr = (on: string, text: string): string => `\x1b[${on}m${text}\x1b[0m`;
const ANSI: Style = {
  bold: (text) => sgr('1', text),
  dim: (text) => sgr('2', text),
  ok: (text) => sgr('1;32', text),
  error: (text) => sgr('1;31', text),
  tool: (text) => sgr('36', text),
};
const PLAIN: Style = { bold: (t) => t, dim: (t) => t, ok: (t) => t, error: (t) => t, tool: (t) => t };

function renderSystem(event: Json, style: Style): string {
  const subtype = str(event.subtype) ?? 'system';
  if (subtype === 'init') {
    const parts = [`● Claude ${oneLine(str(event.claude_code_version) ?? '?')}`];
    const model = str(event.model);
    const session = str(event.session_id);
    if (model) parts.push(`model ${oneLine(model)}`);
    if (session) parts.push(`session ${oneLine(session)}`);
    return style.bold(parts.join(' · '));
  }
  return style.dim(`· ${systemDetail(subtype, event)}`);
}

function systemDetail(subtype: string, event: Json): string {
  switch (subtype) {
    case 'api_retry': {
      const attempt = num(event.attempt);
      const max = num(event.max_retries);
      const delay = num(event.retry_delay_ms);
      const status = num(event.error_status) ?? str(event.error_status);
      const parts = ['API request failed, retrying'];
      if (attempt !== null) parts.push(`attempt ${attempt}${max !== null ? `/${max}` : ''}`);
      if (delay !== null) parts.push(`in ${formatDuration(delay)}`);
      if (status !== null) parts.push(`status ${status}`);
      return parts.join(' · ');
    }
    case 'compact_boundary': {
      const meta = isObject(event.compact_metadata) ? event.compact_metadata : {};
      const trigger = str(meta.trigger);
      const tokens = num(meta.pre_tokens);
      return ['conversation compacted', trigger, tokens !== null ? `${tokens} tokens before` : null].filter(Boolean).join(' · ');
    }
    case 'status': {
      const status = str(event.status);
      return status ? `status: ${oneLine(status)}` : 'status';
    }
    default:
      return oneLine(subtype);
  }
}

function renderAssistant(event: Json, flavour: RenderFlavour, style: Style): string[] {
  const lines: string[] = [];
  for (const block of contentBlocks(event)) {
    if (block.type === 'text' && typeof block.text === 'string') {
      const text = flavour === 'plain' ? stripAnsi(block.text) : block.text;
      if (text.trim()) lines.push(...text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n'));
    } else if (block.type === 'tool_use') {
      const name = oneLine(str(block.name) ?? 'tool');
      const summary = toolInputSummary(name, block.input);
      lines.push(style.tool(`▸ ${name}${summary ? ` ${summary}` : ''}`));
    }
  }
  return lines;
}

/** What a tool was asked to do, in one line: the command, the file, or the input as compact JSON. */
export function toolInputSummary(name: string, input: unknown): string {
  if (!isObject(input)) return '';
  const field = TOOL_FIELDS[name];
  const chosen = field ? str(input[field]) : null;
  if (chosen !== null) return clip(firstLine(chosen, true), SUMMARY_LIMIT);
  const json = JSON.stringify(input);
  return json === '{}' ? '' : clip(oneLine(json), SUMMARY_LIMIT);
}

const TOOL_FIELDS: Record<string, string> = {
  Bash: 'command',
  Read: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  Write: 'file_path',
  NotebookEdit: 'notebook_path',
};

function renderToolResults(event: Json, style: Style): string[] {
  const lines: string[] = [];
  for (const block of contentBlocks(event)) {
    if (block.type !== 'tool_result') continue;
    const first = clip(firstLine(toolResultText(block.content), false), SUMMARY_LIMIT);
    if (block.is_error === true) lines.push(style.error(`  ↳ error: ${first || 'the tool failed'}`));
    else lines.push(style.dim(`  ↳ ${first || '(no output)'}`));
  }
  return lines;
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') parts.push(block.text);
    else if (typeof block.type === 'string') parts.push(`[${block.type}]`);
  }
  return parts.join('\n');
}

function renderResult(event: Json, style: Style): string {
  const subtype = str(event.subtype) ?? 'result';
  const isError = typeof event.is_error === 'boolean' ? event.is_error : subtype !== 'success';
  if (!isError) {
    const parts = ['✔ Done'];
    const duration = num(event.duration_ms);
    const turns = num(event.num_turns);
    const cost = num(event.total_cost_usd);
    if (duration !== null) parts.push(formatDuration(duration));
    if (turns !== null) parts.push(`${turns} ${turns === 1 ? 'turn' : 'turns'}`);
    if (cost !== null) parts.push(formatCost(cost));
    return style.ok(parts.join(' · '));
  }
  const errors = Array.isArray(event.errors) ? event.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))) : [];
  const result = str(event.result);
  if (result) errors.push(result);
  const why = clip(errors.map((e) => oneLine(e)).filter(Boolean).join('; '), ERRORS_LIMIT);
  // An error reported with subtype "success" (a refused key) reads better as plain "error".
  const label = subtype === 'success' ? 'error' : oneLine(subtype);
  return style.error(`✖ ${label}${why ? `: ${why}` : ''}`);
}

/** 850 ms → "0.9 s", 83 s → "1 min 23 s", 2 h 5 min → "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** Cents are too coarse for one short run: four decimals below a dollar. */
export function formatCost(usd: number): string {
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

function contentBlocks(event: Json): Json[] {
  const message = isObject(event.message) ? event.message : null;
  const content = message?.content;
  return Array.isArray(content) ? content.filter(isObject) : [];
}

/** The first non-empty line, without escapes or control characters; "…" marks that more lines followed. */
function firstLine(text: string, markMore: boolean): string {
  const lines = stripAnsi(text).split('\n');
  const index = lines.findIndex((line) => line.trim() !== '');
  if (index < 0) return '';
  const line = oneLine(lines[index] as string).trim();
  return markMore && lines.slice(index + 1).some((l) => l.trim() !== '') ? `${line} …` : line;
}

/** Escapes dropped, line breaks and tabs as spaces: safe inside one terminal line. */
function oneLine(text: string): string {
  return stripAnsi(text).replace(/[\n\t]+/g, ' ');
}

/** At most `limit` code points (never half a surrogate pair), "…" marking the cut. */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const points = Array.from(text);
  return points.length <= limit ? text : points.slice(0, limit - 1).join('') + '…';
}
