import { readFileSync, statSync } from 'node:fs';

/** Files that hold keys or tokens (beacon-secrets.json, ~/.mentu/credentials): owner-only JSON, read strictly. */

/** An owner-only file (secrets, the Mentu session) Beacon will not read: readable by others, unreadable, or not JSON. */
export class OwnerOnlyFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'OwnerOnlyFileError';
  }
}

/** Where JSON.parse gave up: V8 names a position for some errors only ("Unexpected token '}', … is not valid JSON" has none). */
function jsonErrorOffset(text: string, error: Error): number {
  const match = /position (\d+)/.exec(error.message);
  if (match) return Math.min(Number(match[1]), text.length);
  if (/end of JSON input/.test(error.message)) return text.length;
  // The shortest prefix that fails for a reason other than ending early ends at the offending character.
  for (let end = 1; end <= text.length; end++) {
    try {
      JSON.parse(text.slice(0, end));
    } catch (prefixError) {
      if (!/end of JSON input/.test((prefixError as Error).message)) return end - 1;
    }
  }
  return text.length;
}

/**
 * "line L, column C: unexpected …" (1-based) for a JSON.parse failure of `text`. V8's own message quotes the
 * text, which here holds tokens, so it is never shown.
 */
function jsonErrorPosition(text: string, error: Error): string {
  const offset = jsonErrorOffset(text, error);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const found = offset >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[offset])}`;
  return `line ${line}, column ${column}: ${found}`;
}

/**
 * The file's JSON object, or null when it does not exist. Refused when group or others may read it (it holds
 * keys or tokens); a syntax error names the file and where, never the text.
 */
export function readOwnerOnlyJson(path: string, what: { holds: string; redo: string } = { holds: 'the keys', redo: 'store them again' }): Record<string, unknown> | null {
  const { holds, redo } = what;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OwnerOnlyFileError(`${path} cannot be read: ${(error as Error).message}`, path);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new OwnerOnlyFileError(`${path} is readable by other users (mode ${octal}); Beacon will not use ${holds} in it. Run: chmod 600 ${path}`, path);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new OwnerOnlyFileError(`${path} cannot be read: ${(error as Error).message}`, path);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OwnerOnlyFileError(`${path} is not valid JSON (${jsonErrorPosition(text, error as Error)}). Fix it, or delete it and ${redo}.`, path);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OwnerOnlyFileError(`${path} does not hold a JSON object.`, path);
  return parsed as Record<string, unknown>;
}

