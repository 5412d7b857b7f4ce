import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cli, enqueue, makeSandbox, readRow, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';

/** `beacon run` with the stand-in agent (stream-json): readable output for people, the exact bytes on request. */
describe('readable stream-json output end to end', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess;

  beforeAll(async () => {
    sandbox = makeSandbox();
    executor = startExecutor(sandbox);
    await executor.ready;
  });
  afterAll(async () => {
    await stopExecutor(executor);
    sandbox.cleanup();
  });

  const follow = (args: string[]) => runCli(['logs', ...args], { env: sandbox.env, cwd: sandbox.work });


  it('beacon logs renders the JSON lines; --raw prints the log byte for byte; the result row keeps the readable tail', async () => {
    const id = enqueue(sandbox, '@agent lines=2\nsay hello');
    expect((await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'])).status).toBe('completed');
    const log = readFileSync(join(sandbox.home, 'logs', `${id}.log`));

    const readable = cli(sandbox, ['logs', id]);
    expect(readable.status).toBe(0);
    expect(readable.stdout).toMatch(/^● Claude 2\.1\.330 · model claude-stand-in-1 · session \S+\r?\n/);
    expect(readable.stdout).toContain('working 1/2');
    expect(readable.stdout).toContain('▸ Bash ls');
    expect(readable.stdout).toContain('✔ Done · 1.2 s · 2 turns · $0.0123');
    expect(readable.stdout).not.toContain('"type"');
    expect(readable.stdout).not.toContain('\x1b'); // not a terminal: no colours

    const raw = cli(sandbox, ['logs', id, '--raw']);
    expect(raw.status).toBe(0);
    expect(raw.stdout).toContain('"type":"result"');
    expect(Buffer.from(raw.stdout, 'utf8').equals(log)).toBe(true);

    // What went to the database for people to read: the readable text, not the JSON.
    const row = readRow(sandbox, id) as unknown as { stdout_tail: string };
    expect(row.stdout_tail).toContain('working 2/2\n✔ Done · 1.2 s · 2 turns · $0.0123\n');
    expect(row.stdout_tail).not.toContain('"type"');
  });

  it('--follow streams until the command ends, readable and raw', async () => {
    const id = enqueue(sandbox, '@agent lines=4 interval=300');
    await waitForStatus(sandbox, id, ['running']);
    const [readable, raw] = await Promise.all([follow([id, '--follow']), follow([id, '--follow', '--raw'])]);
    expect(readable.status).toBe(0);
    expect(readable.stdout).toContain('working 4/4');
    expect(readable.stdout).toMatch(/✔ Done[^\n]*\n$/);
    expect(readable.stdout).not.toContain('"type"');
    expect(raw.status).toBe(0);
    expect(raw.stdout).toBe(readFileSync(join(sandbox.home, 'logs', `${id}.log`), 'utf8'));
    expect(raw.stdout).toContain('"type":"result"');
  });
});
