/**
 * A small structured logger. Secrets registered with `redact` are replaced before anything is written,
 * so a key can never reach a log line, whoever logs it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Never print this value: it is replaced by [redacted] in every later line. */
  redact(secret: string | null | undefined): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where a finished line goes (default: stderr). */
  write?: (line: string) => void;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = ORDER[options.level ?? ((process.env.BEACON_LOG_LEVEL as LogLevel | undefined) ?? 'info')] ?? 20;
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const secrets = new Set<string>();

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };

  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < minimum) return;
    const extra = fields && Object.keys(fields).length ? ' ' + safeJson(fields) : '';
    // One event, one line: row text in a message (an id, an agent name) cannot start a line of its own.
    write(scrub(`${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${escapeControl(message)}${extra}`));
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    redact: (secret) => {
      // Very short strings would blank out ordinary words; real keys are long.
      if (secret && secret.length >= 8) secrets.add(secret);
    },
  };
}

/** Control characters (newlines, carriage returns, escape sequences) written as visible escapes: \n, \u001b. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/**
 * An error in words, with its causes: "TypeError: fetch failed (cause: TimeoutError: The request took
 * longer than 10000 ms)". `fetch failed` alone hides whether the network refused, a name did not resolve
 * or a timeout ran out (issue 15, point 8).
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error || (typeof current === 'object' && 'message' in current)) {
      const e = current as { name?: string; message?: string; code?: string; cause?: unknown };
      const code = typeof e.code === 'string' && !String(e.message).includes(e.code) ? ` (${e.code})` : '';
      parts.push(`${e.name ?? 'Error'}: ${e.message ?? ''}${code}`);
      current = e.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.length <= 1 ? (parts[0] ?? String(error)) : `${parts[0]} (cause: ${parts.slice(1).join('; cause: ')})`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: describeError(v) } : v));
  } catch {
    return '[unserialisable]';
  }
}

/** A logger that drops everything (for tests that do not look at logs). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  redact: () => {},
};
