import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { unifiedDiff } from './line-diff.js';

/**
 * What a person reads before answering a permission request: one line (the file, the Bash command, the URL) and
 * the detail (the diff a Write or an Edit would make, the whole command, the input). A file's current text is read
 * for the diff only inside the command's working directory (never MENTU_HOME): a request must not become a way to
 * show a file the agent may not read to everyone who can see requests.
 */
export interface RequestText {
  summary: string;
  detail: string | null;
}

export interface SummaryContext {
  /** The command's real working directory. */
  cwd: string;
  mentuHome: string;
}

const SUMMARY_CHARS = 240;
export const DETAIL_CHARS = 16 * 1024;
const READ_LIMIT = 512 * 1024;

export function describeToolInput(tool: string, input: unknown, context: SummaryContext): RequestText {
  const fields = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const text = (key: string): string | null => (typeof fields[key] === 'string' ? (fields[key] as string) : null);
  switch (tool) {
    case 'Bash': {
      const command = text('command') ?? '';
      const description = text('description');
      return { summary: oneLine(command), detail: bound(description ? `${command}\n\n# ${description}` : command) };
    }
    case 'Write': {
      const path = text('file_path') ?? '';
      const before = readInside(path, context);
      const after = text('content') ?? '';
      const detail = before === 'not-readable' ? `(the current file is outside the working directory: not shown)\n${newFile(path, after)}` : unifiedDiff(before ?? '', after, path);
      return { summary: path, detail: bound(detail) };
    }
    case 'Edit':
      return { summary: text('file_path') ?? '', detail: bound(editDiff(text('file_path') ?? '', [fields], context)) };
    case 'MultiEdit': {
      const edits = Array.isArray(fields.edits) ? (fields.edits as Record<string, unknown>[]) : [];
      return { summary: text('file_path') ?? '', detail: bound(editDiff(text('file_path') ?? '', edits, context)) };
    }
    case 'NotebookEdit':
      return { summary: text('notebook_path') ?? '', detail: bound(json(input)) };
    case 'WebFetch':
      return { summary: text('url') ?? '', detail: bound(text('prompt') ?? json(input)) };
    case 'Read':
      return { summary: text('file_path') ?? '', detail: null };
    default:
      return { summary: oneLine(json(input)), detail: bound(json(input)) };
  }
}

/** The diff of Edit/MultiEdit replacements applied to the current file; the replaced fragments alone outside the working directory. */
function editDiff(path: string, edits: Record<string, unknown>[], context: SummaryContext): string {
  const before = readInside(path, context);
  if (typeof before === 'string' || before === null) {
    let after = before ?? '';
    let applied = true;
    for (const edit of edits) {
      const oldText = typeof edit.old_string === 'string' ? edit.old_string : '';
      const newText = typeof edit.new_string === 'string' ? edit.new_string : '';
      if (oldText && !after.includes(oldText)) applied = false;
      after = edit.replace_all === true ? after.split(oldText).join(newText) : after.replace(oldText, () => newText);
    }
    if (applied) return unifiedDiff(before ?? '', after, path);
  }
  const note = before === 'not-readable' ? '(the file is outside the working directory: only the replaced text is shown)' : '(the text to replace was not found in the file as it is now)';
  return [note, ...edits.map((edit) => unifiedDiff(String(edit.old_string ?? ''), String(edit.new_string ?? ''), path).split('\n').slice(2).join('\n'))].join('\n');
}

/** The file's text when it is inside the working directory (and not MENTU_HOME); null when it does not exist yet. */
function readInside(path: string, context: SummaryContext): string | null | 'not-readable' {
  if (!path || !isAbsolute(path)) return 'not-readable';
  const real = realOrParent(path);
  if (!real || !within(real, realOrSelf(context.cwd)) || within(real, realOrSelf(context.mentuHome))) return 'not-readable';
  try {
    const stat = statSync(real);
    if (!stat.isFile() || stat.size > READ_LIMIT) return 'not-readable';
    return readFileSync(real, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'not-readable';
  }
}

function newFile(path: string, content: string): string {
  return unifiedDiff('', content, path);
}

/** The real path of a file, or of its nearest existing folder plus the rest (a file still to be created). */
function realOrParent(path: string): string | null {
  let current = resolve(path);
  const rest: string[] = [];
  for (let depth = 0; depth < 64; depth++) {
    try {
      return resolve(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return null;
      rest.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
  return null;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

function bound(text: string): string {
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS)}\n… (${text.length - DETAIL_CHARS} more characters not shown)` : text;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
