/** Reading stream-json lines: one JSON object per line, and typed access to its fields. */

export type Json = Record<string, unknown>;

/** JSON may follow a little junk at the start of a line (macOS echoes the "^D" Beacon writes to stdin). */
const MAX_JSON_PREFIX = 8;

/** A JSON object with a string `type`, or null for anything else. */
export function parseJsonLine(line: string): Json | null {
  let brace = line.indexOf('{');
  // Text without a newline (stderr, a flood's last line) can run into a JSON line on the pty.
  if (brace > MAX_JSON_PREFIX) brace = line.indexOf('{"type":');
  if (brace < 0) return null;
  if (line.charCodeAt(line.length - 1) !== 125 /* } */ && !line.trimEnd().endsWith('}')) return null;
  try {
    const value: unknown = JSON.parse(line.slice(brace));
    return isObject(value) && typeof value.type === 'string' ? value : null;
  } catch {
    return null;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
