import { describe, expect, it } from 'vitest';
import { createLogger, describeError } from '../../src-main/core/logger.js';

/** Issue 15, point 8: one event is one log line, and an error keeps its cause. */
describe('the logger', () => {
  it('escapes newlines and escape sequences that row text (an id, an agent name) carries into a message', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line), now: () => new Date(0) });
    const id = 'evil\n1970-01-01T00:00:00.000Z INFO  finished other status=completed\r\u001b[2J';
    logger.info(`claimed ${id} (agent x)`);
    expect(lines).toEqual(['1970-01-01T00:00:00.000Z INFO  claimed evil\\n1970-01-01T00:00:00.000Z INFO  finished other status=completed\\r\\u001b[2J (agent x)']);
  });

  it('an error field keeps its cause', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line) });
    const cause = Object.assign(new Error('Connect Timeout Error'), { name: 'ConnectTimeoutError', code: 'UND_ERR_CONNECT_TIMEOUT' });
    logger.warn('could not reach Mentu', { error: new TypeError('fetch failed', { cause }) });
    expect(lines[0]).toContain('TypeError: fetch failed (cause: ConnectTimeoutError: Connect Timeout Error (UND_ERR_CONNECT_TIMEOUT))');
    expect(describeError('plain')).toBe('plain');
  });
});
