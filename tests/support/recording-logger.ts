import type { Logger, LogLevel } from '../../src-main/core/logger.js';

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps every line, so a test can wait on what the code decided (the claim loop's debug lines). */
export function recordingLogger(): Logger & { records: LogRecord[]; warnings: LogRecord[]; count(text: string): number } {
  const records: LogRecord[] = [];
  const keep = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => void records.push({ level, message, fields });
  return {
    records,
    get warnings() {
      return records.filter((record) => record.level === 'warn');
    },
    count: (text) => records.filter((record) => record.message.includes(text)).length,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    redact: () => {},
  };
}
