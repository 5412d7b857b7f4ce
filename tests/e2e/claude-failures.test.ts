import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_LOGGED_IN } from '../../src-main/core/contract/stream-json/explain.js';
import { cli, enqueue, makeSandbox, readRow, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { claudeAgentProfile, useRealClaude, type ClaudeHome } from '../support/real-claude.js';
import { startModelServer, turn, type ModelServer } from '../model-server/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Failures say why, and stopped runs never read exit 0 (issue 12): the REAL claude CLI failing for each known
 * reason, and stopped by timeout, cancel and shutdown, through `beacon run` on the local queue.
 */

let server: ModelServer;
let sandbox: Sandbox;
let claudeHome: ClaudeHome;
let executor: ExecutorProcess;

const FINAL = ['completed', 'failed', 'timeout', 'cancelled'];

beforeAll(async () => {
  server = await startModelServer();
  sandbox = makeSandbox({ shutdown_grace_seconds: 1 });
  claudeHome = useRealClaude(sandbox, server);
  // An owner's profile with an option this CLI does not know.
  const file = join(sandbox.home, 'beacon.yaml');
  const config = parseYaml(readFileSync(file, 'utf8')) as { agents: Record<string, unknown> };
  config.agents.typo = claudeAgentProfile({ extraArgs: ['--permision-mode', 'plan'] });
  writeFileSync(file, JSON.stringify(config, null, 2));
  executor = startExecutor(sandbox);
  await executor.ready;
});
afterAll(async () => {
  if (executor) await stopExecutor(executor);
  await server.stop();
  sandbox.cleanup();
  claudeHome.cleanup();
});

async function run(prompt: string, extra: string[] = []): Promise<{ status: string; exit_code: number | null; error_message: string | null }> {
  const id = enqueue(sandbox, prompt, extra);
  return waitForStatus(sandbox, id, FINAL, 60_000);
}

describe('a failed run carries the CLI\'s reason, with the known cases named', () => {
  it('key refused (401): log in again, in the CLI\'s words', async () => {
    server.reset();
    server.script(turn.error(401, { message: 'invalid x-api-key', retry: false }));
    const row = await run('hi');
    expect(row).toMatchObject({ status: 'failed', exit_code: 1 });
    expect(row.error_message).toBe(`${NOT_LOGGED_IN}. The CLI said: Invalid API key · Fix external API key`);
  });

  it('rate limited (429): try again later', async () => {
    server.reset();
    server.script(turn.error(429, { message: 'rate limit exceeded', retry: false }));
    const row = await run('hi');
    expect(row.status).toBe('failed');
    expect(row.error_message).toBe('Rate limited by the model API: try again later. The CLI said: API Error: Request rejected (429) · rate limit exceeded');
  });

  it('overloaded (529 three times): try again later', async () => {
    server.reset();
    server.script(turn.error(529), turn.error(529), turn.error(529));
    const row = await run('hi');
    expect(row.status).toBe('failed');
    expect(row.error_message).toMatch(/^The model API is overloaded: try again later\. The CLI said: API Error: Repeated 529 Overloaded errors/);
  });

  it('max turns (a queue flag the default allow-list lets through)', async () => {
    server.reset();
    server.script(turn.tool('Read', { file_path: join(sandbox.work, 'missing.txt') }), turn.text('never'));
    const row = await run('read it', ['--flag=--max-turns', '--flag=1']);
    expect(row).toMatchObject({ status: 'failed', exit_code: 1 });
    expect(row.error_message).toBe('Stopped at the turn limit (--max-turns): raise it or split the task. The CLI said: Reached maximum number of turns (1)');
  });

  it('an unknown option in the owner\'s profile: the CLI\'s own error line', async () => {
    server.reset();
    const row = await run('hi', ['--agent', 'typo']);
    expect(row).toMatchObject({ status: 'failed', exit_code: 1 });
    expect(row.error_message).toBe("The agent refused an option: check agents.<name>.args in beacon.yaml and the command's flags. The CLI said: error: unknown option '--permision-mode'");
    expect(server.messageRequests()).toHaveLength(0);
  });
});

describe('a stopped run never reads exit 0', () => {
  it('timeout: status timeout, the signal named, a non-zero exit code', async () => {
    server.reset();
    server.script(turn.text('never finishes', { stallAfterEvents: 1 }));
    const row = await run('wait forever', ['--timeout', '2']);
    console.log(`real CLI timed out: exit_code ${row.exit_code}, ${row.error_message}`);
    expect(row.status).toBe('timeout');
    expect(row.error_message).toMatch(/^Timed out after 2s \((stopped with|ended by) SIG[A-Z]+/);
    expect(row.exit_code).not.toBe(0);
    expect(row.exit_code).not.toBeNull();
    expect(cli(sandbox, ['list']).stdout).toMatch(/timeout +\d+ \(SIG[A-Z]+\)|timeout +[1-9]\d* /);
  });

  it('cancel: status cancelled, exit code not 0', async () => {
    server.reset();
    server.script(turn.text('never finishes', { stallAfterEvents: 1 }));
    const id = enqueue(sandbox, 'wait forever');
    await server.waitForRequest();
    expect(cli(sandbox, ['cancel', id]).status).toBe(0);
    const row = await waitForStatus(sandbox, id, FINAL, 30_000);
    expect(row.status).toBe('cancelled');
    expect(row.exit_code).not.toBe(0);
  });

  it('executor shutdown: cancelled "executor shutdown" with the signal and a non-zero exit code', async () => {
    server.reset();
    server.script(turn.text('never finishes', { stallAfterEvents: 1 }));
    const id = enqueue(sandbox, 'wait forever');
    await server.waitForRequest();
    await stopExecutor(executor);
    const row = readRow(sandbox, id)!;
    console.log(`real CLI at shutdown: exit_code ${row.exit_code}, ${row.error_message}`);
    expect(row.status).toBe('cancelled');
    expect(row.error_message).toMatch(/^executor shutdown \((stopped with|ended by) SIG[A-Z]+/);
    expect(row.exit_code).toBeGreaterThan(0);
  });

  it('not logged in (no key at all): log in again, without any model call', async () => {
    delete sandbox.env.ANTHROPIC_API_KEY;
    executor = startExecutor(sandbox);
    await executor.ready;
    server.reset();
    const row = await run('hi');
    expect(row).toMatchObject({ status: 'failed', exit_code: 1 });
    expect(row.error_message).toBe(`${NOT_LOGGED_IN}. The CLI said: Not logged in · Please run /login`);
    expect(server.messageRequests()).toHaveLength(0);
  });
});
