import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, enqueue, waitForStatus } from '../support/local-sandbox.js';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

const local = useLocalSandboxes();

describe('beacon enqueue options', () => {
  it('--commitment, --worktree and --on-approve reach the queued command', () => {
    const sandbox = local.sandbox();
    const result = cli(sandbox, ['enqueue', 'ship it', '--commitment', 'cmt_kzr4z3eo', '--worktree', '--on-approve', 'make deploy', '--json']);
    expect(result.status).toBe(0);
    const command = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(command).toMatchObject({ commitmentId: 'cmt_kzr4z3eo', withWorktree: true, approvalRequired: true, onApprove: 'make deploy', status: 'pending' });
    const plain = JSON.parse(cli(sandbox, ['show', String(command.id), '--json']).stdout) as Record<string, unknown>;
    expect(plain).toMatchObject({ withWorktree: true, approvalRequired: true, onApprove: 'make deploy' });
  });

  it('--worktree without --commitment is refused and queues nothing', () => {
    const sandbox = local.sandbox();
    const result = cli(sandbox, ['enqueue', 'x', '--worktree']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--worktree needs --commitment');
    expect(JSON.parse(cli(sandbox, ['list', '--json']).stdout)).toEqual([]);
  });

  it('refuses up front (exit 2) what this machine would only refuse later, queueing nothing', () => {
    const box = local.sandbox();
    mkdirSync(join(box.root, 'outside'));
    const cases: [string[], RegExp][] = [
      [['--cwd', join(box.root, 'outside')], /Not queued: working directory '.*outside' is outside the allowed directories \[.*work\]; add it to execution.allowed_directories in beacon.yaml/],
      [['--cwd', join(box.work, 'missing')], /does not exist on this machine/],
      [['--agent', 'no-such-agent'], /Not queued: unknown agent "no-such-agent": this machine's agents are fake/],
      [['--target', 'beacon-elsewhere'], /local queue is served by this machine only/],
    ];
    for (const [args, reason] of cases) {
      const result = cli(box, ['enqueue', 'do it', ...args]);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(reason);
    }
    expect(JSON.parse(cli(box, ['list', '--json']).stdout)).toEqual([]);
    // A subfolder of an allowed one is fine; the id is printed.
    mkdirSync(join(box.work, 'sub'));
    const ok = cli(box, ['enqueue', 'do it', '--cwd', join(box.work, 'sub')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  });

  it('--on-approve waits for `beacon approve`, then its exit code is the result', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox);
    await executor.ready;
    const id = enqueue(sandbox, 'build the thing', ['--on-approve', 'exit 4']);
    await waitForStatus(sandbox, id, ['awaiting_approval']);
    expect(cli(sandbox, ['approve', id]).status).toBe(0);
    const row = await waitForStatus(sandbox, id, ['completed', 'failed']);
    expect(row.status).toBe('failed');
    expect(row.exit_code).toBe(4);
  });
});
