import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, enqueue, insertRow, makeSandbox, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';

/**
 * Commands this machine must not run are never spawned: the stand-in agent would write its pidfile the
 * moment it starts, so a missing pidfile proves no process was created. The executor keeps serving.
 * `beacon enqueue` refuses them up front (exit 2, nothing queued); rows written into the queue by another
 * process get no such check, and the executor refuses them.
 */
describe('refused commands are never spawned, and the executor keeps serving', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess;
  let outside: string;

  beforeAll(async () => {
    sandbox = makeSandbox();
    outside = join(sandbox.root, 'outside');
    mkdirSync(outside);
    mkdirSync(`${sandbox.work}-evil`);
    writeFileSync(join(sandbox.work, 'a-file'), 'not a directory');
    symlinkSync(outside, join(sandbox.work, 'escape-link'));
    executor = startExecutor(sandbox);
    await executor.ready;
  });
  afterAll(async () => {
    await stopExecutor(executor);
    sandbox.cleanup();
  });

  const cases: { name: string; cwd: () => string; agent?: string; reason: RegExp }[] = [
    { name: 'a nonexistent directory', cwd: () => join(sandbox.work, 'missing'), reason: /missing|exist/i },
    { name: 'a file instead of a directory', cwd: () => join(sandbox.work, 'a-file'), reason: /directory/i },
    { name: 'a .. escape', cwd: () => `${sandbox.work}/../outside`, reason: /allowed|outside/i },
    { name: 'a symlink escape', cwd: () => join(sandbox.work, 'escape-link'), reason: /allowed|outside/i },
    { name: 'a sibling-prefix directory', cwd: () => `${sandbox.work}-evil`, reason: /allowed|outside/i },
    { name: 'an unknown agent', cwd: () => sandbox.work, agent: 'no-such-agent', reason: /unknown agent "no-such-agent"/i },
  ];

  for (const [index, c] of cases.entries()) {
    it(`${c.name}: failed with a clear reason, no process`, async () => {
      const pidfile = join(sandbox.root, `pid-${index}.json`);
      const prompt = `@agent pidfile=${pidfile}\nrefuse me`;
      const args = ['--cwd', c.cwd(), ...(c.agent ? ['--agent', c.agent] : [])];
      const upFront = cli(sandbox, ['enqueue', ...args, '--', prompt]);
      expect(upFront.status).toBe(2);
      expect(upFront.stderr).toMatch(c.reason);
      expect(upFront.stderr).toContain('Not queued: ');
      expect(upFront.stdout).toBe('');

      const id = insertRow(sandbox, { prompt, working_directory: c.cwd(), agent: c.agent ?? 'fake' });
      const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled']);
      expect(row.status).toBe('failed');
      expect(row.error_message).toMatch(c.reason);
      expect(row.started_at).toBeNull();
      expect(existsSync(pidfile)).toBe(false);

      // The next valid command still runs.
      const good = enqueue(sandbox, `@agent pidfile=${pidfile}.ok\nvalid after ${c.name}`);
      const done = await waitForStatus(sandbox, good, ['completed', 'failed', 'timeout', 'cancelled']);
      expect(done.status).toBe('completed');
      expect(existsSync(`${pidfile}.ok`)).toBe(true);
    });
  }

  it('beacon show explains the refusal', () => {
    const listed = JSON.parse(cli(sandbox, ['list', '--json']).stdout) as { id: string; status: string; errorMessage: string | null }[];
    const refused = listed.filter((c) => c.status === 'failed');
    expect(refused.length).toBe(cases.length);
    for (const c of refused) expect(c.errorMessage).toBeTruthy();
    expect(executor.stderr()).toMatch(/refus/i);
  });
});
