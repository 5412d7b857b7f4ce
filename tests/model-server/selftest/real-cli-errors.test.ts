import { describe, expect, it } from 'vitest';
import { runClaude } from '../../support/real-claude.js';
import { turn } from '../index.js';
import { useCliFixture } from './cli-fixture.js';

/** How the real CLI 2.1.197 ends when the model answers with errors or a broken stream (facts Beacon's error messages rely on). */

const cli = useCliFixture();

describe('error replies', () => {
  it('401 with the API\'s "invalid x-api-key": an is_error result "Invalid API key", api_error_status 401, exit 1', async () => {
    cli.server.script(turn.error(401, { message: 'invalid x-api-key', retry: false }));
    const run = await runClaude({ ...cli.base(), prompt: 'hi' });
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ subtype: 'success', is_error: true, api_error_status: 401, result: 'Invalid API key · Fix external API key' });
    expect(cli.server.messageRequests().map((call) => call.answer)).toEqual(['error 401']);
  });

  it('401 with another message: "Failed to authenticate" and the message', async () => {
    cli.server.script(turn.error(401, { message: 'token expired', retry: false }));
    const run = await runClaude({ ...cli.base(), prompt: 'hi' });
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ is_error: true, api_error_status: 401, result: 'Failed to authenticate. API Error: 401 token expired' });
  });

  it('429 (rate limited): an is_error result naming the 429 once retries are used up', async () => {
    cli.server.script(turn.error(429, { message: 'slow down', retryAfterSeconds: 1 }));
    const run = await runClaude({ ...cli.base(), prompt: 'hi', maxRetries: 0 });
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ is_error: true, api_error_status: 429, result: 'API Error: Request rejected (429) · slow down' });
  });

  it('529 (overloaded): the CLI tries three times, reports each retry as api_retry, then gives up with "Repeated 529"', async () => {
    cli.server.script(turn.error(529), turn.error(529), turn.error(529), turn.text('never reached'));
    const run = await runClaude({ ...cli.base(), prompt: 'hi' });
    expect(run.code).toBe(1);
    expect(run.lines.filter((line) => line.subtype === 'api_retry').map((line) => line.error_status)).toEqual([529, 529]);
    expect(String(run.result?.result)).toMatch(/^API Error: Repeated 529 Overloaded errors/);
    expect(run.result?.is_error).toBe(true);
    expect(cli.server.pendingTurns()).toBe(1);
  });

  it('an error then a reply: the CLI retries and the run succeeds', async () => {
    cli.server.script(turn.error(500, { message: 'hiccup' }), turn.text('fine now'));
    const run = await runClaude({ ...cli.base(), prompt: 'hi' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ is_error: false, result: 'fine now' });
    expect(cli.server.messageRequests().map((call) => call.answer)).toEqual(['error 500', 'reply']);
  });
});

describe('broken and slow streams', () => {
  it('a stream cut off mid-reply is retried; a reply afterwards completes the run', async () => {
    cli.server.script(turn.text('a long answer that will be cut', { cutAfterEvents: 3 }), turn.text('second try'));
    const run = await runClaude({ ...cli.base(), prompt: 'hi' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ result: 'second try' });
    expect(cli.server.messageRequests()).toHaveLength(2);
  });

  it('a slow stream arrives whole, no faster than its pacing', async () => {
    cli.server.script(turn.text('one two three four five', { pacing: { eventDelayMs: 150, textChunkChars: 4 } }));
    const run = await runClaude({ ...cli.base(), prompt: 'hi' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ result: 'one two three four five' });
    // message_start, block start, 6 deltas, block stop, message_delta, message_stop: 11 events, 150 ms apart.
    expect(run.durationMs).toBeGreaterThan(11 * 150);
  });

  it('a logged-out CLI (no key) ends at once without calling the model', async () => {
    const run = await runClaude({ ...cli.base(), prompt: 'hi', apiKey: false });
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ is_error: true, result: 'Not logged in · Please run /login' });
    expect(cli.server.messageRequests()).toHaveLength(0);
  });
});
