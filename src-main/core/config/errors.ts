/** A config problem a person can fix: names the file, the key path and what was expected. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly keyPath: string | null = null,
    readonly expected: string | null = null,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `execution.max_concurrent`, `supabase.workspace_ids[0]`, `agents."my agent".command`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else {
      const name = String(key);
      const plain = /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
      text += text ? `.${plain}` : plain;
    }
  }
  return text || '(top level)';
}

/** A short rendering of a value found in the file, for "got …". */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
